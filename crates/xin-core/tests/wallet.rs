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
