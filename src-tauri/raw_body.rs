//! Commands that carry bytes: the body is sent raw (no JSON array of numbers), and the typed
//! arguments ride in the `xin-args` header as JSON, which `commands.ts` writes ASCII-only.

use serde::de::DeserializeOwned;
use tauri::{
    ipc::{CommandArg, CommandItem, InvokeBody, InvokeError},
    Runtime,
};
use xin_core::error::UiError;
use xin_proto::ErrorCode;

/// The bytes of a raw-body command and its arguments.
pub struct Raw<A> {
    pub bytes: Vec<u8>,
    pub args: A,
}

fn refused(message: &str) -> InvokeError {
    InvokeError::from(UiError::server(ErrorCode::InvalidRequest, message))
}

impl<'de, R: Runtime, A: DeserializeOwned> CommandArg<'de, R> for Raw<A> {
    fn from_command(command: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        let InvokeBody::Raw(bytes) = command.message.payload() else {
            return Err(refused("This command sends its bytes as the body."));
        };
        let header = command
            .message
            .headers()
            .get("xin-args")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| refused("This command's arguments are missing."))?;
        let args = serde_json::from_str(header)
            .map_err(|_| refused("This command's arguments are not valid."))?;
        Ok(Self {
            bytes: bytes.clone(),
            args,
        })
    }
}
