//! Mini-program commands. The main window finds, opens, pins and pays; a sandbox window has
//! exactly one command, `mini_program_bridge`, which checks each call against the manifest's
//! permissions and asks the user in Xin's own window (outside the sandbox) for the profile and
//! for payment.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tauri::{AppHandle, Emitter, Manager, State, Webview};
use tokio::sync::oneshot;
use xin_core::{
    error::{LocalCode, UiError},
    mini_programs::mini_program_request,
    views::{ChatMessage, PhoneCode},
    Engine,
};
use xin_proto::{
    ErrorCode, MiniProgram, MiniProgramOrder, MiniProgramPermission, MiniProgramRequest, OrderState,
};

use crate::{
    chat_commands::id,
    mini_program_window::{self, developer, Sandboxes},
};

type Result<T> = std::result::Result<T, UiError>;

/// The event the main window shows a mini-program's question with.
pub const ASK_EVENT: &str = "xin://mini-program-ask";

fn refused(message: impl Into<String>) -> UiError {
    UiError::server(ErrorCode::NotAllowed, message)
}

/// Questions a mini-program is waiting on, answered from the main window.
#[derive(Default)]
pub struct Asks {
    next: AtomicU64,
    pending: Mutex<HashMap<u64, oneshot::Sender<bool>>>,
}

#[derive(Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Question {
    /// May it see my name and avatar?
    Profile,
    /// Pay this order (the main window asks for the PIN and pays).
    Payment { order: MiniProgramOrder },
}

#[derive(Clone, Serialize)]
struct Ask {
    id: u64,
    name: String,
    icon: String,
    #[serde(flatten)]
    question: Question,
}

/// Shows the question in the main window and waits for the answer; a window closed without
/// one is a no.
async fn ask(app: &AppHandle, program: &MiniProgram, question: Question) -> Result<bool> {
    let asks = app.state::<Asks>();
    let id = asks.next.fetch_add(1, Ordering::Relaxed);
    let (tx, rx) = oneshot::channel();
    if let Ok(mut pending) = asks.pending.lock() {
        pending.insert(id, tx);
    }
    let ask = Ask {
        id,
        name: program.name.clone(),
        icon: program.icon.clone(),
        question,
    };
    crate::alerts::show_main(app);
    app.emit_to("main", ASK_EVENT, &ask)
        .map_err(|e| refused(e.to_string()))?;
    Ok(rx.await.unwrap_or(false))
}

#[tauri::command]
pub async fn answer_mini_program(asks: State<'_, Asks>, ask: u64, yes: bool) -> Result<()> {
    let tx = asks.pending.lock().ok().and_then(|mut p| p.remove(&ask));
    if let Some(tx) = tx {
        let _ = tx.send(yes);
    }
    Ok(())
}

#[tauri::command]
pub async fn mini_programs(
    engine: State<'_, Engine>,
    q: Option<String>,
) -> Result<Vec<MiniProgram>> {
    Ok(engine.mini_programs(q).await?)
}

#[tauri::command]
pub async fn pin_mini_program(
    engine: State<'_, Engine>,
    program: String,
    pinned: bool,
) -> Result<MiniProgram> {
    Ok(engine.pin_mini_program(id(&program)?, pinned).await?)
}

#[tauri::command]
pub async fn open_mini_program(
    app: AppHandle,
    engine: State<'_, Engine>,
    program: String,
) -> Result<()> {
    let opened = engine.open_mini_program(id(&program)?).await?;
    mini_program_window::open(&app, opened).map_err(|e| refused(e.to_string()))?;
    Ok(())
}

#[tauri::command]
pub async fn mini_program_code(engine: State<'_, Engine>, program: String) -> Result<PhoneCode> {
    Ok(engine.mini_program_code(id(&program)?).await?)
}

/// Shares it into a chat as a card that opens it.
#[tauri::command]
pub async fn share_mini_program(
    engine: State<'_, Engine>,
    conversation: String,
    program: String,
) -> Result<ChatMessage> {
    let program = engine.mini_program(id(&program)?).await?;
    Ok(engine
        .share_mini_program(id(&conversation)?, &program)
        .await?)
}

#[tauri::command]
pub async fn clear_mini_program_data(engine: State<'_, Engine>, program: String) -> Result<()> {
    Ok(engine.clear_mini_program_data(id(&program)?).await?)
}

#[tauri::command]
pub async fn pay_mini_program_order(
    engine: State<'_, Engine>,
    order: String,
    pin: String,
) -> Result<MiniProgramOrder> {
    Ok(engine.pay_mini_program_order(id(&order)?, pin).await?)
}

/// One call from `window.xin`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BridgeCall {
    Login,
    GetProfile,
    Request { request: MiniProgramRequest },
    RequestPayment { order_id: String },
    StorageGet { key: String },
    StorageSet { key: String, value: String },
    StorageRemove { key: String },
    StorageKeys,
}

/// The bridge: the only command a sandbox window can call. It answers for the mini-program
/// that window runs, and refuses a window that runs none.
#[tauri::command]
pub async fn mini_program_bridge(
    app: AppHandle,
    webview: Webview,
    engine: State<'_, Engine>,
    call: BridgeCall,
) -> Result<Value> {
    let opened = app
        .state::<Sandboxes>()
        .running(webview.label())
        .ok_or_else(|| refused("Only a mini-program can use the bridge."))?;
    let (program, manifest) = (&opened.program, &opened.manifest);
    let may = |p: MiniProgramPermission| {
        if manifest.permissions.contains(&p) {
            Ok(())
        } else {
            Err(refused(format!(
                "{} did not ask for this permission in app.json.",
                program.name
            )))
        }
    };
    let storage = || engine.mini_program_storage(program.id);
    Ok(match call {
        BridgeCall::Login => {
            let code = engine.mini_program_login(program.id).await?;
            json!({"code": code.code, "expires_at": code.expires_at})
        }
        BridgeCall::GetProfile => {
            may(MiniProgramPermission::Profile)?;
            if !ask(&app, program, Question::Profile).await? {
                return Err(refused("The user did not share their profile."));
            }
            let me = engine.me().await?;
            json!({"name": me.display_name, "avatar_hue": me.avatar_hue})
        }
        BridgeCall::Request { request } => {
            json!(mini_program_request(&manifest.domains, developer(), request).await?)
        }
        BridgeCall::RequestPayment { order_id } => {
            may(MiniProgramPermission::Payment)?;
            let order = engine.mini_program_order(id(&order_id)?).await?;
            // Another mini-program's order is not this one's to present.
            if order.mini_program_id != program.id {
                return Err(refused("This order is not this mini-program's."));
            }
            if order.state != OrderState::Paid
                && !ask(
                    &app,
                    program,
                    Question::Payment {
                        order: order.clone(),
                    },
                )
                .await?
            {
                return Err(UiError::local(
                    LocalCode::Cancelled,
                    "The payment was cancelled.",
                ));
            }
            // What counts is the server's word, not the dialog's.
            let order = engine.mini_program_order(order.id).await?;
            if order.state != OrderState::Paid {
                return Err(UiError::local(
                    LocalCode::Cancelled,
                    "The order was not paid.",
                ));
            }
            json!({"paid": true, "order": order})
        }
        BridgeCall::StorageGet { key } => json!(storage().await?.get(&key)?),
        BridgeCall::StorageSet { key, value } => {
            storage().await?.set(key, value)?;
            Value::Null
        }
        BridgeCall::StorageRemove { key } => {
            storage().await?.remove(&key)?;
            Value::Null
        }
        BridgeCall::StorageKeys => json!(storage().await?.keys()?),
    })
}
