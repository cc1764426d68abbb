//! The one owner of background work. Everything the engine runs on its own is started and
//! stopped here: the login flows, and for a signed-in account its realtime link, outbox and
//! transfer workers. The loop an account lives in reads top to bottom in this file:
//!
//! ```text
//!   launch ─▶ login flow (QR code, or "Log in" on a remembered computer)
//!               │ the phone confirms: a session
//!               ▼
//!             sign in: credentials to the keyring, the cache opened,
//!             workers started (link, outbox, uploads, downloads)
//!               │ the link reconnects with jittered backoff while the session lasts
//!               ▼ the server ends the session (signed out elsewhere, or too old)
//!             workers stopped, the account forgotten on this computer ─▶ login flow
//! ```
//!
//! Signing out here, switching accounts and quitting leave the loop from the side. The feature
//! modules never start tasks or flows themselves; they are woken through the account's `Notify`s.

use std::{sync::Arc, time::Duration};

use rand::Rng;
use tokio::task::JoinHandle;
use xin_proto::Session;

use crate::{
    cache::Remembered,
    download,
    engine::Engine,
    error::{CoreError, CoreResult},
    events::{AppView, LoginNotice, LoginView},
    login::{self, LoginEnd},
    outbox,
    realtime::{self, LinkEnd},
    session::AccountSession,
    upload,
    vault::{refresh_key, remember_key},
};

/// The link's reconnect delay: from half a second, doubling to half a minute; each wait is
/// drawn from its upper half, so clients dropped together (a server restarting) do not all
/// come back in the same instant.
struct LinkBackoff {
    next: Duration,
}

impl LinkBackoff {
    const FIRST: Duration = Duration::from_millis(500);
    const MAX: Duration = Duration::from_secs(30);

    fn new() -> Self {
        Self { next: Self::FIRST }
    }

    fn reset(&mut self) {
        self.next = Self::FIRST;
    }

    fn wait(&mut self) -> Duration {
        let base = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        base / 2 + base.mul_f64(rand::thread_rng().gen_range(0.0..0.5))
    }
}

impl Engine {
    /// First thing after launch: the remembered account's "Log in", or a QR code; on a first
    /// run, the question which server to use.
    pub async fn start(&self) -> CoreResult<()> {
        if let Some(r) = self.remembered()? {
            if self
                .vault_get(remember_key(&self.server(), &r.user.id))
                .await?
                .is_some()
            {
                self.set_login(LoginView::Remembered { user: r.user }, None);
                return Ok(());
            }
        }
        self.start_qr_login(None).await;
        Ok(())
    }

    /// Shows a QR code (refreshing it by itself when it expires) until a phone confirms.
    pub async fn start_qr_login(&self, notice: Option<LoginNotice>) {
        if self.server().is_empty() {
            // A first run: nothing names a server yet (`server_choice.rs`).
            self.set_login(LoginView::ChooseServer { current: None }, None);
            return;
        }
        self.set_login(LoginView::Starting, notice.clone());
        let engine = self.clone();
        run_login(self, async move {
            let end = login::qr_flow(&engine, notice.clone()).await;
            after_login(engine, end, notice).await;
        })
        .await;
    }

    /// Asks the account's phone to confirm this remembered computer with one tap.
    pub async fn start_remembered_login(&self) -> CoreResult<()> {
        let remembered = self.remembered()?.ok_or(CoreError::SignedOut)?;
        let engine = self.clone();
        run_login(self, async move {
            let end = login::remembered_flow(&engine, remembered).await;
            after_login(engine, end, None).await;
        })
        .await;
        Ok(())
    }

    /// Forgets the remembered account and shows a QR code.
    pub async fn switch_account(&self) -> CoreResult<()> {
        forget_remembered(self).await?;
        self.start_qr_login(None).await;
        Ok(())
    }

    /// Sign out on this computer. It stays remembered: next time "Log in" asks the phone.
    pub async fn sign_out(&self) -> CoreResult<()> {
        if let Some(account) = close_account(self).await {
            // Best effort: offline sign-out still forgets the session locally.
            let access = account.access().await;
            if let Err(e) = account.api.sign_out(&access).await {
                tracing::warn!("server sign-out failed: {e}");
            }
            self.set_login(
                LoginView::Remembered {
                    user: account.user.clone(),
                },
                None,
            );
        }
        Ok(())
    }

    /// The app is quitting: stop the account's workers without signing out. Transfers and
    /// sends not finished continue at the next launch.
    pub async fn shut_down(&self) {
        if let Some((_, tasks)) = self.account_slot().await.take() {
            tasks.iter().for_each(JoinHandle::abort);
        }
    }
}

/// Runs a login flow in the engine's one login slot (a new flow replaces the old).
async fn run_login(engine: &Engine, flow: impl std::future::Future<Output = ()> + Send + 'static) {
    engine.replace_login_task(tokio::spawn(flow)).await;
}

/// What follows a login flow: signing in, or another flow. Boxed: a flow can lead to a flow.
fn after_login(
    engine: Engine,
    end: LoginEnd,
    notice: Option<LoginNotice>,
) -> futures_util::future::BoxFuture<'static, ()> {
    Box::pin(async move {
        match end {
            LoginEnd::Confirmed(session) => {
                if let Err(e) = sign_in(&engine, *session).await {
                    tracing::error!("sign-in could not be stored: {e}");
                    engine.set_login(
                        LoginView::Unreachable {
                            server: engine.server(),
                            error: Some((&e).into()),
                            retry_in_secs: 0,
                        },
                        notice,
                    );
                }
            }
            LoginEnd::Stopped => {}
            LoginEnd::ScanInstead(notice) => engine.start_qr_login(Some(notice)).await,
            LoginEnd::Forgotten => {
                if let Err(e) = forget_remembered(&engine).await {
                    tracing::error!("could not forget the remembered account: {e}");
                }
                engine
                    .start_qr_login(Some(LoginNotice::NoLongerRemembered))
                    .await;
            }
        }
    })
}

/// The session the server handed to this computer becomes the signed-in account, with its
/// workers running.
async fn sign_in(engine: &Engine, session: Session) -> CoreResult<()> {
    let server = engine.server();
    // Credentials first, into the keyring: if that fails, nothing else changes.
    engine
        .vault_set(
            refresh_key(&server, &session.user.id),
            session.refresh_token.clone(),
        )
        .await?;
    if let Some(remember) = &session.remember_token {
        engine
            .vault_set(remember_key(&server, &session.user.id), remember.clone())
            .await?;
    }
    engine.app_db(|db| {
        db.remember(
            &server,
            &Remembered {
                user: session.user.clone(),
                device_id: session.device_id,
            },
        )
    })?;
    let cache_key = engine.cache_key(&server, &session.user.id).await?;
    let account = Arc::new(AccountSession::open(
        engine.api().clone(),
        engine.0.config.vault.clone(),
        engine.data_dir(),
        session.user.clone(),
        session.device_id,
        session.access_token,
        &cache_key,
    )?);
    // Started while holding the slot, so the link finds the account once it runs.
    let mut slot = engine.account_slot().await;
    let tasks = vec![
        tokio::spawn(keep_linked(engine.clone())),
        tokio::spawn(outbox::run(engine.clone(), account.clone())),
        tokio::spawn(upload::run(engine.clone(), account.clone())),
        tokio::spawn(download::run(engine.clone(), account.clone())),
    ];
    if let Some((_, old)) = slot.replace((account, tasks)) {
        old.iter().for_each(JoinHandle::abort);
    }
    drop(slot);
    engine.set_view(AppView::SignedIn { user: session.user });
    Ok(())
}

/// The realtime link for as long as the account is signed in: connect, and when a connection
/// ends, connect again after a jittered wait, until the server ends the session. Boxed: ending
/// the session starts a login flow, which signs in, which starts this again.
fn keep_linked(engine: Engine) -> futures_util::future::BoxFuture<'static, ()> {
    Box::pin(async move {
        let mut backoff = LinkBackoff::new();
        loop {
            let Some(account) = engine.account().await else {
                return;
            };
            match realtime::connect(&engine, &account).await {
                LinkEnd::Dropped { was_up } => {
                    if was_up {
                        backoff.reset();
                    }
                    tokio::time::sleep(backoff.wait()).await;
                }
                LinkEnd::Refreshed => {}
                LinkEnd::SessionOver { expired } => {
                    let notice = if expired {
                        LoginNotice::SessionExpired
                    } else {
                        LoginNotice::SignedOutElsewhere
                    };
                    // Ending the session stops this very task (it is one of the account's), so
                    // what follows runs on its own.
                    tokio::spawn(session_over(engine, notice));
                    return;
                }
            }
        }
    })
}

/// The server ended this device's session: nothing of the account stays readable here, and
/// the QR code comes back saying why.
async fn session_over(engine: Engine, notice: LoginNotice) {
    if let Some(account) = close_account(&engine).await {
        let _ = engine
            .vault_delete(remember_key(&engine.server(), &account.user.id))
            .await;
        let id = account.user.id;
        drop(account);
        engine.forget_cache(&id).await;
    }
    let _ = engine.app_db(|db| db.forget(&engine.server()));
    engine.start_qr_login(Some(notice)).await;
}

/// Ends the local account: stops its workers, drops its refresh token.
async fn close_account(engine: &Engine) -> Option<Arc<AccountSession>> {
    let (account, tasks) = engine.account_slot().await.take()?;
    tasks.iter().for_each(JoinHandle::abort);
    engine.drop_call();
    if let Err(e) = engine
        .vault_delete(refresh_key(&engine.server(), &account.user.id))
        .await
    {
        tracing::error!("could not remove the refresh token from the keyring: {e}");
    }
    Some(account)
}

/// This computer no longer remembers the account: its tokens, cache and key go.
async fn forget_remembered(engine: &Engine) -> CoreResult<()> {
    if let Some(r) = engine.remembered()? {
        engine
            .vault_delete(remember_key(&engine.server(), &r.user.id))
            .await?;
        engine
            .vault_delete(refresh_key(&engine.server(), &r.user.id))
            .await?;
        engine.forget_cache(&r.user.id).await;
    }
    engine.app_db(|db| db.forget(&engine.server()))
}

#[cfg(test)]
mod tests {
    use super::LinkBackoff;
    use std::time::Duration;

    /// Waits double up to the cap, each drawn from the upper half of its step, and a link that
    /// was up starts again from the first step.
    #[test]
    fn link_waits_grow_with_jitter_and_start_over_after_a_connection() {
        let mut b = LinkBackoff::new();
        let steps: Vec<Duration> = (0..10).map(|_| b.wait()).collect();
        let mut base = Duration::from_millis(500);
        for step in &steps {
            assert!(*step >= base / 2 && *step < base, "{step:?} for {base:?}");
            base = (base * 2).min(Duration::from_secs(30));
        }
        b.reset();
        assert!(b.wait() < Duration::from_millis(500));
        // Two clients dropped at once do not wait the same: jitter spreads them.
        let spread: std::collections::HashSet<Duration> =
            (0..20).map(|_| LinkBackoff::new().wait()).collect();
        assert!(spread.len() > 1);
    }
}
