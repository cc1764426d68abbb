//! Property test of the ledger through the real API: random interleavings of top-ups,
//! withdrawals, transfers, accepts, declines and deadline refunds among three friends. After
//! every operation each wallet holds exactly what a simple model says; refused operations move
//! nothing; at the end `ledger check`'s invariants hold.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use proptest::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[derive(Debug, Clone)]
enum Op {
    TopUp {
        who: usize,
        fen: i64,
    },
    Withdraw {
        who: usize,
        fen: i64,
    },
    Send {
        from: usize,
        to: usize,
        fen: i64,
    },
    /// The recipient answers the `nth` transfer still pending (if any).
    Answer {
        nth: usize,
        accept: bool,
    },
    /// Every pending transfer's deadline passes.
    Expire,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3usize, 1..20_000i64).prop_map(|(who, fen)| Op::TopUp { who, fen }),
        (0..3usize, 1..8_000i64).prop_map(|(who, fen)| Op::Withdraw { who, fen }),
        (0..3usize, 1..3usize, 1..8_000i64).prop_map(|(from, d, fen)| Op::Send {
            from,
            to: (from + d) % 3,
            fen
        }),
        (0..4usize, any::<bool>()).prop_map(|(nth, accept)| Op::Answer { nth, accept }),
        Just(Op::Expire),
    ]
}

struct Pending {
    id: String,
    from: usize,
    to: usize,
    fen: i64,
}

async fn run(ops: Vec<Op>) {
    let s = TestServer::start().await;
    let people = [
        Party::join(&s, "ann", "13800000001").await,
        Party::join(&s, "ben", "13800000002").await,
        Party::join(&s, "cat", "13800000003").await,
    ];
    people[0].befriend(&people[1]).await;
    people[0].befriend(&people[2]).await;
    people[1].befriend(&people[2]).await;
    let mut cards = Vec::new();
    for p in &people {
        cards.push(p.fund(0).await);
    }
    let mut model = [0i64; 3];
    let mut pending: Vec<Pending> = Vec::new();
    for op in ops {
        match op {
            Op::TopUp { who, fen } => {
                people[who]
                    .ok(
                        Method::POST,
                        "/wallet/top-up",
                        Some(json!({"idempotency_key": uuid_v7(), "card_id": cards[who], "amount_fen": fen})),
                    )
                    .await;
                model[who] += fen;
            }
            Op::Withdraw { who, fen } => {
                let r = people[who]
                    .call(
                        Method::POST,
                        "/wallet/withdraw",
                        Some(json!({"idempotency_key": uuid_v7(), "card_id": cards[who], "amount_fen": fen, "pin": PIN})),
                    )
                    .await;
                if fen <= model[who] {
                    assert_eq!(r.0, StatusCode::OK, "{op:?} {}", r.1);
                    model[who] -= fen;
                } else {
                    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "insufficient_funds");
                }
            }
            Op::Send { from, to, fen } => {
                let conv = people[from].direct(&people[to]).await;
                let r = people[from]
                    .call(
                        Method::POST,
                        "/wallet/transfers",
                        Some(
                            json!({"idempotency_key": uuid_v7(), "conversation_id": conv,
                                    "amount_fen": fen, "note": "", "pin": PIN}),
                        ),
                    )
                    .await;
                if fen <= model[from] {
                    assert_eq!(r.0, StatusCode::OK, "{op:?} {}", r.1);
                    model[from] -= fen;
                    pending.push(Pending {
                        id: r.1["id"].as_str().unwrap().to_string(),
                        from,
                        to,
                        fen,
                    });
                } else {
                    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "insufficient_funds");
                }
            }
            Op::Answer { nth, accept } => {
                if pending.is_empty() {
                    continue;
                }
                let t = pending.remove(nth % pending.len());
                let verb = if accept { "accept" } else { "decline" };
                people[t.to]
                    .ok(
                        Method::POST,
                        &format!("/wallet/transfers/{}/{verb}", t.id),
                        None,
                    )
                    .await;
                model[if accept { t.to } else { t.from }] += t.fen;
                // Answering twice moves nothing.
                assert_error(
                    &people[t.to]
                        .call(
                            Method::POST,
                            &format!("/wallet/transfers/{}/accept", t.id),
                            None,
                        )
                        .await,
                    StatusCode::CONFLICT,
                    "transfer_settled",
                );
            }
            Op::Expire => {
                let state = &s.running.as_ref().unwrap().state;
                let n = state.store.refund_expired(i64::MAX).await.unwrap();
                assert_eq!(n, pending.len());
                for t in pending.drain(..) {
                    model[t.from] += t.fen;
                }
            }
        }
        for (i, p) in people.iter().enumerate() {
            let w = p.ok(Method::GET, "/wallet", None).await;
            assert_eq!(
                w["balance_fen"], model[i],
                "{}'s wallet after {op:?}",
                p.handle
            );
        }
    }
    let problems = s
        .running
        .as_ref()
        .unwrap()
        .state
        .store
        .ledger_check()
        .await
        .unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn every_interleaving_keeps_the_ledger_sound(ops in proptest::collection::vec(op(), 1..30)) {
        tokio::runtime::Runtime::new().unwrap().block_on(run(ops));
    }
}
