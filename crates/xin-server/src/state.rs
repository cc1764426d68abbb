use std::sync::Arc;

use crate::{config::Config, files::Uploads, hub::Hub, rate_limit::Limits, store::Store};

/// Shared by every request: cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub hub: Hub,
    pub limits: Limits,
    pub uploads: Uploads,
    /// Mini-program files, extracted once per package.
    pub package_files: crate::mini_program_files::PackageFiles,
    /// Where wallet money comes from and goes to (the sandbox bank in this build).
    pub bank: Box<dyn crate::wallet::bank::BankProvider>,
    /// Payment PINs already checked with argon2 (see `VerifiedPins`).
    pub pins: crate::wallet::pin::VerifiedPins,
    pub config: Config,
    /// The other nodes, when there are any.
    pub broker: Option<crate::broker::Broker>,
    /// Set when the node is stopping: `/ready` fails and no new socket is taken.
    pub draining: std::sync::atomic::AtomicBool,
    /// Base URL phones use (goes into QR codes).
    pub public_url: String,
    /// Signs mini-program packages; loaded from the store on first use.
    signer: tokio::sync::OnceCell<crate::mini_program::Signer32>,
    /// Derives each session's key for signed links to files; from the same stored secret.
    media_keys: tokio::sync::OnceCell<crate::secrets::MediaKeys>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Scans, confirmations and password attempts (see `Limits::attempt`), counted by every
    /// node together when they share a database: N nodes must not allow N times the guesses.
    pub async fn attempt(&self, key: String) -> crate::error::ApiResult<()> {
        self.limits.attempt(key.clone())?;
        self.shared_limit(
            format!("attempt:{key}"),
            self.config.attempts_per_minute,
            "attempts",
        )
        .await
    }

    /// Login QR codes per address (see `Limits::ticket`), counted by every node together.
    pub async fn ticket_limit(&self, ip: &str) -> crate::error::ApiResult<()> {
        self.limits.ticket(ip)?;
        self.shared_limit(
            format!("ticket:ip:{ip}"),
            self.config.tickets_per_minute,
            "login QR codes",
        )
        .await
    }

    /// A per-minute count in the shared database (nothing to share on the embedded store).
    async fn shared_limit(
        &self,
        key: String,
        per_minute: u32,
        what: &str,
    ) -> crate::error::ApiResult<()> {
        if self.config.database_url.is_none() {
            return Ok(());
        }
        let now = crate::time::now_ms();
        let n = self
            .store
            .count_in_window(key, now - now % 60_000, now)
            .await?;
        if n > i64::from(per_minute) {
            return Err(crate::rate_limit::too_many(what));
        }
        Ok(())
    }

    /// `hub` is the one the store's writer pushes committed events to.
    pub fn new(
        store: Store,
        hub: Hub,
        uploads: Uploads,
        config: Config,
        public_url: String,
        broker: Option<crate::broker::Broker>,
    ) -> Self {
        let limits = Limits::new(&config);
        Self(Arc::new(Inner {
            store,
            hub,
            limits,
            package_files: crate::mini_program_files::PackageFiles::new(
                config.data_dir().join("cache").join("mini-programs"),
            ),
            uploads,
            bank: Box::new(crate::wallet::bank::SandboxBank::default()),
            pins: Default::default(),
            config,
            broker,
            draining: Default::default(),
            public_url,
            signer: tokio::sync::OnceCell::new(),
            media_keys: tokio::sync::OnceCell::new(),
        }))
    }

    /// The mini-program package signer (its secret is in the store, shared by every node).
    pub async fn signer(&self) -> crate::error::ApiResult<&crate::mini_program::Signer32> {
        self.signer
            .get_or_try_init(|| async {
                crate::mini_program::Signer32::from_secret(&self.store.signing_secret().await?)
            })
            .await
    }

    pub async fn media_keys(&self) -> crate::error::ApiResult<&crate::secrets::MediaKeys> {
        self.media_keys
            .get_or_try_init(|| async {
                Ok(crate::secrets::MediaKeys::from_secret(
                    &self.store.signing_secret().await?,
                ))
            })
            .await
    }

    pub fn transfer_ttl_ms(&self) -> i64 {
        i64::try_from(self.config.transfer_ttl_secs.saturating_mul(1000)).unwrap_or(i64::MAX)
    }

    pub fn payment_code_ttl_ms(&self) -> i64 {
        i64::try_from(self.config.payment_code_ttl_secs.saturating_mul(1000)).unwrap_or(i64::MAX)
    }

    pub fn access_ttl_ms(&self) -> i64 {
        i64::try_from(self.config.access_ttl_secs.saturating_mul(1000)).unwrap_or(i64::MAX)
    }
}
