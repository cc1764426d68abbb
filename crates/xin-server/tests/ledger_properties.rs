//! Property test of the ledger through the real API: random interleavings of top-ups,
//! withdrawals, transfers, accepts, declines, red envelopes and their grabs, payments and
//! deadline refunds among three friends. After
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
    /// A red envelope into the three's group: `shares` shares of `each` fen (lucky: the same
    /// total, split at random).
    Envelope {
        from: usize,
        each: i64,
        shares: u32,
        lucky: bool,
    },
    /// `who` opens the `nth` envelope still open (if any).
    Grab {
        nth: usize,
        who: usize,
    },
    /// A payment (as after scanning a receive code): at once, no accepting.
    Pay {
        from: usize,
        to: usize,
        fen: i64,
    },
    /// Every pending transfer's and open envelope's deadline passes.
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
        (0..3usize, 1..6_000i64, 1..4u32, any::<bool>()).prop_map(|(from, each, shares, lucky)| {
            Op::Envelope {
                from,
                each,
                shares,
                lucky,
            }
        }),
        (0..4usize, 0..3usize).prop_map(|(nth, who)| Op::Grab { nth, who }),
        (0..3usize, 1..3usize, 1..8_000i64).prop_map(|(from, d, fen)| Op::Pay {
            from,
            to: (from + d) % 3,
            fen
        }),
        Just(Op::Expire),
    ]
}

struct OpenEnvelope {
    id: String,
    from: usize,
    left: i64,
    shares_left: u32,
    grabbed: [bool; 3],
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
    let ids: Vec<&str> = people[1..].iter().map(|p| p.user.id.as_str()).collect();
    let group = people[0]
        .ok(
            Method::POST,
            "/conversations",
            Some(json!({"title": "The three", "members": ids})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut model = [0i64; 3];
    let mut pending: Vec<Pending> = Vec::new();
    let mut envelopes: Vec<OpenEnvelope> = Vec::new();
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
            Op::Envelope {
                from,
                each,
                shares,
                lucky,
            } => {
                let total = each * i64::from(shares);
                let kind = if lucky { "lucky" } else { "normal" };
                let r = people[from]
                    .call(
                        Method::POST,
                        "/wallet/envelopes",
                        Some(
                            json!({"idempotency_key": uuid_v7(), "conversation_id": group,
                                    "kind": kind, "amount_fen": total, "shares": shares,
                                    "note": "", "pin": PIN}),
                        ),
                    )
                    .await;
                if total <= model[from] {
                    assert_eq!(r.0, StatusCode::OK, "{op:?} {}", r.1);
                    model[from] -= total;
                    envelopes.push(OpenEnvelope {
                        id: r.1["id"].as_str().unwrap().to_string(),
                        from,
                        left: total,
                        shares_left: shares,
                        grabbed: [false; 3],
                    });
                } else {
                    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "insufficient_funds");
                }
            }
            Op::Grab { nth, who } => {
                if envelopes.is_empty() {
                    continue;
                }
                let i = nth % envelopes.len();
                let e = &mut envelopes[i];
                let r = people[who]
                    .call(
                        Method::POST,
                        &format!("/wallet/envelopes/{}/grab", e.id),
                        None,
                    )
                    .await;
                if e.grabbed[who] {
                    assert_error(&r, StatusCode::CONFLICT, "already_grabbed");
                } else {
                    assert_eq!(r.0, StatusCode::OK, "{op:?} {}", r.1);
                    let got = r.1["grabs"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|g| g["user_id"] == people[who].user.id.as_str())
                        .unwrap()["amount_fen"]
                        .as_i64()
                        .unwrap();
                    // Each share in [0.01, 2 × the remaining average]; the last takes the rest.
                    let n = i64::from(e.shares_left);
                    assert!(
                        got >= 1 && got * n <= 2 * e.left,
                        "{got} of {} in {n}",
                        e.left
                    );
                    if e.shares_left == 1 {
                        assert_eq!(got, e.left, "the last share is the rest");
                    }
                    model[who] += got;
                    e.left -= got;
                    e.shares_left -= 1;
                    e.grabbed[who] = true;
                    if e.shares_left == 0 {
                        assert_eq!(r.1["state"], "finished");
                        envelopes.remove(i);
                    }
                }
            }
            Op::Pay { from, to, fen } => {
                let r = people[from]
                    .call(
                        Method::POST,
                        "/wallet/payments",
                        Some(
                            json!({"idempotency_key": uuid_v7(), "payee_id": people[to].user.id,
                                    "amount_fen": fen, "note": "", "pin": PIN}),
                        ),
                    )
                    .await;
                if fen <= model[from] {
                    assert_eq!(r.0, StatusCode::OK, "{op:?} {}", r.1);
                    model[from] -= fen;
                    model[to] += fen;
                } else {
                    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "insufficient_funds");
                }
            }
            Op::Expire => {
                let state = &s.running.as_ref().unwrap().state;
                let n = state.store.refund_expired(i64::MAX).await.unwrap();
                assert_eq!(n, pending.len());
                for t in pending.drain(..) {
                    model[t.from] += t.fen;
                }
                let n = state
                    .store
                    .return_expired_envelopes(i64::MAX)
                    .await
                    .unwrap();
                assert_eq!(n, envelopes.len());
                for e in envelopes.drain(..) {
                    model[e.from] += e.left;
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
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn every_interleaving_keeps_the_ledger_sound(ops in proptest::collection::vec(op(), 1..30)) {
        tokio::runtime::Runtime::new().unwrap().block_on(run(ops));
    }
}
