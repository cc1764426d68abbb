//! A signed-in account: its access token, its cache, and calls that refresh the token when needed.

use std::{path::Path, sync::Arc};

use tokio::sync::{Mutex, RwLock};
use uuid::Uuid;
use xin_proto::{ErrorCode, UserProfile};

use crate::{
    api::ApiClient,
    cache::AccountDb,
    error::{CoreError, CoreResult},
    vault::{refresh_key, Vault},
};

pub struct AccountSession {
    pub api: ApiClient,
    pub user: UserProfile,
    pub device_id: Uuid,
    access: RwLock<String>,
    vault: Arc<dyn Vault>,
    pub db: Mutex<AccountDb>,
    /// Wakes the outbox worker: a new send, or the link came back.
    pub outbox_wake: tokio::sync::Notify,
    /// Wake the upload and the download worker: something new to do, or the link came back.
    pub uploads_wake: tokio::sync::Notify,
    pub downloads_wake: tokio::sync::Notify,
    /// A transfer was paused or cancelled: the worker on it checks whether it is its own.
    pub transfer_stop: tokio::sync::Notify,
}

impl AccountSession {
    pub fn open(
        api: ApiClient,
        vault: Arc<dyn Vault>,
        data_dir: &Path,
        user: UserProfile,
        device_id: Uuid,
        access: String,
        cache_key: &crate::cache_key::CacheKey,
    ) -> CoreResult<Self> {
        let path = crate::cache_key::cache_path(data_dir, &user.id);
        let db = AccountDb::open(&path, cache_key)?;
        db.save_profile(&user)?;
        Ok(Self {
            api,
            user,
            device_id,
            access: RwLock::new(access),
            vault,
            db: Mutex::new(db),
            outbox_wake: tokio::sync::Notify::new(),
            uploads_wake: tokio::sync::Notify::new(),
            downloads_wake: tokio::sync::Notify::new(),
            transfer_stop: tokio::sync::Notify::new(),
        })
    }

    /// Resolves once transfer `id` is no longer to be worked on (paused or cancelled).
    pub async fn stopped(&self, id: Uuid) {
        loop {
            // Listen first, then look: a pause between the two is not missed.
            let notified = self.transfer_stop.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let open = self
                .db
                .lock()
                .await
                .transfer(id)
                .ok()
                .flatten()
                .is_some_and(|t| t.state.is_open());
            if !open {
                return;
            }
            notified.await;
        }
    }

    pub async fn access(&self) -> String {
        self.access.read().await.clone()
    }

    fn refresh_key(&self) -> String {
        refresh_key(self.api.base(), &self.user.id)
    }

    /// Trades the keyring's refresh token for new tokens; the new refresh token goes back to
    /// the keyring before anything else happens, so a crash cannot lose it.
    pub async fn refresh(&self) -> CoreResult<()> {
        let key = self.refresh_key();
        let vault = self.vault.clone();
        let token = blocking(move || vault.get(&key))
            .await?
            .ok_or(CoreError::SignedOut)?;
        let session = self.api.refresh(&token).await?;
        let key = self.refresh_key();
        let vault = self.vault.clone();
        blocking(move || vault.set(&key, &session.refresh_token)).await?;
        *self.access.write().await = session.access_token;
        Ok(())
    }

    /// Runs an authenticated call, refreshing the access token once if it expired.
    pub async fn with_access<T, F, Fut>(&self, call: F) -> CoreResult<T>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = CoreResult<T>>,
    {
        match call(self.access().await).await {
            Err(e) if e.api_code() == Some(ErrorCode::TokenExpired) => {
                self.refresh().await?;
                call(self.access().await).await
            }
            other => other,
        }
    }
}

/// Runs a blocking vault call (D-Bus) off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> CoreResult<T> + Send + 'static,
) -> CoreResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CoreError::Vault(format!("keyring task: {e}")))?
}
