//! Commands for the wallet: thin calls into the engine, which talks to the server.

use tauri::State;
use xin_core::{error::UiError, Engine};
use xin_proto::{
    BankCard, BankMove, Bill, Envelope, MoneyTransfer, SendEnvelope, SendTransfer, Wallet,
};

use crate::chat_commands::id;

type Result<T> = std::result::Result<T, UiError>;

#[tauri::command]
pub async fn wallet(engine: State<'_, Engine>) -> Result<Wallet> {
    Ok(engine.wallet().await?)
}

#[tauri::command]
pub async fn bills(engine: State<'_, Engine>) -> Result<Vec<Bill>> {
    Ok(engine.bills().await?)
}

#[tauri::command]
pub async fn add_card(engine: State<'_, Engine>, number: String) -> Result<BankCard> {
    Ok(engine.add_card(number).await?)
}

#[tauri::command]
pub async fn set_pin(
    engine: State<'_, Engine>,
    pin: String,
    old_pin: Option<String>,
) -> Result<()> {
    Ok(engine.set_pin(pin, old_pin).await?)
}

/// A top-up or a withdrawal (`withdraw`), with the UI's idempotency key for this action.
#[tauri::command]
pub async fn bank_move(
    engine: State<'_, Engine>,
    withdraw: bool,
    request: BankMove,
) -> Result<Bill> {
    Ok(engine.bank_move(withdraw, request).await?)
}

#[tauri::command]
pub async fn send_transfer(
    engine: State<'_, Engine>,
    request: SendTransfer,
) -> Result<MoneyTransfer> {
    Ok(engine.send_transfer(request).await?)
}

#[tauri::command]
pub async fn transfer(engine: State<'_, Engine>, transfer: String) -> Result<MoneyTransfer> {
    Ok(engine.transfer(id(&transfer)?).await?)
}

#[tauri::command]
pub async fn answer_transfer(
    engine: State<'_, Engine>,
    transfer: String,
    accept: bool,
) -> Result<MoneyTransfer> {
    Ok(engine.answer_transfer(id(&transfer)?, accept).await?)
}

/// An envelope's details, and whether its revealed seed proves the split (null while secret).
#[tauri::command]
pub async fn envelope(
    engine: State<'_, Engine>,
    envelope: String,
) -> Result<(Envelope, Option<bool>)> {
    let e = engine.envelope(id(&envelope)?).await?;
    let verified = xin_proto::envelope::verify(&e);
    Ok((e, verified))
}

#[tauri::command]
pub async fn grab_envelope(engine: State<'_, Engine>, envelope: String) -> Result<Envelope> {
    Ok(engine.grab_envelope(id(&envelope)?).await?)
}

#[tauri::command]
pub async fn send_envelope(engine: State<'_, Engine>, request: SendEnvelope) -> Result<Envelope> {
    Ok(engine.send_envelope(request).await?)
}

/// My receive code, optionally for an amount (fen) with a note.
#[tauri::command]
pub async fn receive_code(
    engine: State<'_, Engine>,
    amount_fen: Option<i64>,
    note: String,
) -> Result<xin_core::views::ReceiveCode> {
    Ok(engine.receive_code(amount_fen, note).await?)
}
