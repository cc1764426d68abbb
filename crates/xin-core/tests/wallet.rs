#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The wallet through the engine: money moves by the desktop's calls, and the other side's
//! desktop hears `wallet_changed` live, so its Wallet page and transfer cards refresh.
mod common;

use std::time::Duration;

use common::*;
use xin_core::CoreEvent;
use xin_proto::{BankMove, MoneyTransferState, SendTransfer};

#[tokio::test]
async fn a_transfer_from_one_desktop_reaches_the_other_live() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let conv = alice.chat_with(&bob).await;
    let card = alice
        .engine
        .add_card("4242424242424242".into())
        .await
        .unwrap();
    alice.engine.set_pin("135790".into(), None).await.unwrap();
    alice
        .engine
        .bank_move(
            false,
            BankMove {
                idempotency_key: "top".into(),
                card_id: card.id,
                amount_fen: 5_000,
                pin: None,
            },
        )
        .await
        .unwrap();
    let mut bob_events = bob.engine.subscribe();
    let t = alice
        .engine
        .send_transfer(SendTransfer {
            idempotency_key: "t".into(),
            conversation_id: conv,
            amount_fen: 1_234,
            note: "Lunch".into(),
            pin: "135790".into(),
        })
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Ok(CoreEvent::WalletChanged) = bob_events.recv().await {
                break;
            }
        }
    })
    .await
    .expect("Bob's desktop is told at once");
    assert_eq!(
        bob.engine.transfer(t.id).await.unwrap().state,
        MoneyTransferState::Pending
    );
    let accepted = bob.engine.answer_transfer(t.id, true).await.unwrap();
    assert_eq!(accepted.state, MoneyTransferState::Accepted);
    assert_eq!(bob.engine.wallet().await.unwrap().balance_fen, 1_234);
    assert_eq!(
        alice.engine.wallet().await.unwrap().balance_fen,
        5_000 - 1_234
    );
    let bills = alice.engine.bills().await.unwrap();
    assert_eq!(bills.len(), 2);
    // The card is in the chat's cache, previewed as a transfer.
    let chats = bob.engine.chats().await.unwrap();
    assert!(
        chats.iter().any(|c| c.preview.contains("[Transfer]")),
        "{chats:?}"
    );
}

#[tokio::test]
async fn a_phone_paying_my_receive_code_shows_on_my_desktop_live() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let code = alice
        .engine
        .receive_code(Some(1_234), " Rope & chalk ".into())
        .await
        .unwrap();
    assert!(
        code.url
            .ends_with("/m/pay/alice?fen=1234&note=Rope+%26+chalk"),
        "{}",
        code.url
    );
    assert!(code.svg.starts_with("<svg") || code.svg.contains("<svg"));
    assert_eq!(code.note, "Rope & chalk");
    let plain = alice.engine.receive_code(None, "".into()).await.unwrap();
    assert!(plain.url.ends_with("/m/pay/alice"), "{}", plain.url);
    for bad in [0, -1, 5_000_001] {
        let e = alice
            .engine
            .receive_code(Some(bad), "".into())
            .await
            .unwrap_err();
        assert_eq!(e.api_code(), Some(xin_proto::ErrorCode::InvalidRequest));
    }

    // Bob's phone scans it and pays.
    let card = bob
        .phone_post(
            "/wallet/cards",
            serde_json::json!({"number": "4242424242424242"}),
        )
        .await;
    bob.engine.set_pin("135790".into(), None).await.unwrap();
    bob.phone_post(
        "/wallet/top-up",
        serde_json::json!({"idempotency_key": "t", "card_id": card["id"], "amount_fen": 5_000}),
    )
    .await;
    let mut alice_events = alice.engine.subscribe();
    bob.phone_post(
        "/wallet/payments",
        serde_json::json!({"idempotency_key": "p", "payee_id": alice.id, "amount_fen": 1_234,
                           "note": "Rope & chalk", "pin": "135790"}),
    )
    .await;
    let payment = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Ok(CoreEvent::PaymentReceived { payment }) = alice_events.recv().await {
                break payment;
            }
        }
    })
    .await
    .expect("Alice's desktop hears of it at once");
    assert_eq!(payment.payer_name, "Bob");
    assert_eq!(payment.amount_fen, 1_234);
    assert_eq!(payment.note, "Rope & chalk");
    assert_eq!(alice.engine.wallet().await.unwrap().balance_fen, 1_234);
}
