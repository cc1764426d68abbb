//! This account's devices: the list (cached, refreshed when the server says it changed) and
//! signing one of them out.

use uuid::Uuid;
use xin_proto::Device;

use crate::{engine::Engine, error::CoreResult, events::CoreEvent};

impl Engine {
    /// Devices from the cache (fast, works offline).
    pub async fn cached_devices(&self) -> CoreResult<Vec<Device>> {
        let account = self.require_account().await?;
        let db = account.db.lock().await;
        db.devices()
    }

    /// Fetches the device list into the cache, then returns the cache.
    pub async fn devices(&self) -> CoreResult<Vec<Device>> {
        let account = self.require_account().await?;
        let api = account.api.clone();
        let list = account
            .with_access(|access| {
                let api = api.clone();
                async move { api.devices(&access).await }
            })
            .await?;
        account.db.lock().await.save_devices(&list.devices)?;
        self.emit(CoreEvent::DevicesChanged);
        self.cached_devices().await
    }

    pub(crate) async fn refresh_devices_quietly(&self) {
        if let Err(e) = self.devices().await {
            tracing::debug!("device refresh failed: {e}");
        }
    }

    /// Signs one of this account's devices out. Signing out this one is [`Engine::sign_out`].
    pub async fn remove_device(&self, device_id: Uuid) -> CoreResult<()> {
        let account = self.require_account().await?;
        if device_id == account.device_id {
            return self.sign_out().await;
        }
        let api = account.api.clone();
        account
            .with_access(|access| {
                let api = api.clone();
                async move { api.remove_device(&access, device_id).await }
            })
            .await?;
        self.devices().await.map(|_| ())
    }
}
