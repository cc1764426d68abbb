//! The engine: one per running app. It owns the login flows and the signed-in account, and
//! keeps [`AppView`] — the single source of truth the UI renders.

use std::{path::PathBuf, sync::Arc};

use tokio::{
    sync::{broadcast, Mutex},
    task::JoinHandle,
};
use uuid::Uuid;
use xin_proto::{Device, DeviceInfo, DeviceKind, Session, UserProfile};

use crate::{
    api::ApiClient,
    cache::{AppDb, Remembered},
    cache_key::{cache_key_name, CacheKey},
    download,
    error::{CoreError, CoreResult},
    events::{AppView, CoreEvent, LoginNotice, LoginView},
    language::{Language, Speaking},
    login, outbox, realtime,
    session::{blocking, AccountSession},
    upload,
    vault::{refresh_key, remember_key, Vault},
};

pub struct EngineConfig {
    /// Where caches live (e.g. `~/.local/share/xin`). Never holds a credential.
    pub data_dir: PathBuf,
    /// The server's base URL, e.g. `http://127.0.0.1:7420`.
    pub server: String,
    pub device: DeviceInfo,
    pub vault: Arc<dyn Vault>,
    /// Where received files are saved (the XDG download folder).
    pub downloads: PathBuf,
}

/// Cheap to clone; every clone is the same engine.
#[derive(Clone)]
pub struct Engine(pub(crate) Arc<Inner>);

/// The signed-in account and the tasks that live as long as it does.
type SignedIn = (Arc<AccountSession>, Vec<JoinHandle<()>>);

pub(crate) struct Inner {
    pub(crate) config: EngineConfig,
    api: ApiClient,
    app_db: std::sync::Mutex<AppDb>,
    view: std::sync::Mutex<AppView>,
    events: broadcast::Sender<CoreEvent>,
    login_task: Mutex<Option<JoinHandle<()>>>,
    /// The signed-in account and its background tasks (realtime link, outbox).
    account: Mutex<Option<SignedIn>>,
    online: std::sync::atomic::AtomicBool,
    /// The language the user reads (the UI says which); the API client shares it.
    speaking: Speaking,
}

/// This computer, as the server and the phone will see it.
pub fn this_device() -> DeviceInfo {
    // The pretty name when the system has one ("Alice's ThinkPad"), else the host name.
    let name = whoami::fallible::devicename()
        .ok()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| whoami::fallible::hostname().ok())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "Computer".to_string());
    DeviceInfo {
        name: name.chars().take(64).collect(),
        kind: DeviceKind::Desktop,
        os: whoami::distro().chars().take(64).collect(),
        app_version: xin_proto::APP_VERSION.to_string(),
    }
}

impl Engine {
    pub fn new(config: EngineConfig) -> CoreResult<Self> {
        let speaking = Speaking::default();
        let api = ApiClient::new(&config.server, speaking.clone())?;
        let app_db = AppDb::open(&config.data_dir.join("app.db"))?;
        Ok(Self(Arc::new(Inner {
            api,
            app_db: std::sync::Mutex::new(app_db),
            view: std::sync::Mutex::new(AppView::SignedOut {
                login: LoginView::Starting,
                notice: None,
            }),
            events: broadcast::channel(256).0,
            login_task: Mutex::new(None),
            account: Mutex::new(None),
            online: std::sync::atomic::AtomicBool::new(false),
            speaking,
            config,
        })))
    }

    pub(crate) fn data_dir(&self) -> &std::path::Path {
        &self.0.config.data_dir
    }

    /// The app is quitting: stop the account's workers without signing out. Transfers and
    /// sends not finished continue at the next launch.
    pub async fn shut_down(&self) {
        if let Some((_, tasks)) = self.0.account.lock().await.take() {
            tasks.iter().for_each(JoinHandle::abort);
        }
    }

    pub fn server(&self) -> &str {
        self.0.api.base()
    }

    pub fn language(&self) -> Language {
        self.0.speaking.get()
    }

    /// The language the user reads: the chat list and notifications are worded in it, and the
    /// server answers errors in it. The chat list is re-read when it changes.
    pub fn set_language(&self, lang: Language) {
        if self.0.speaking.set(lang) {
            self.emit(CoreEvent::ChatsChanged);
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<CoreEvent> {
        self.0.events.subscribe()
    }

    pub(crate) fn emit(&self, event: CoreEvent) {
        if let CoreEvent::Connection { online } = event {
            self.0
                .online
                .store(online, std::sync::atomic::Ordering::Relaxed);
        }
        let _ = self.0.events.send(event);
    }

    /// Whether the realtime link is up.
    pub fn is_online(&self) -> bool {
        self.0.online.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn view(&self) -> AppView {
        self.0
            .view
            .lock()
            .map(|v| v.clone())
            .unwrap_or(AppView::SignedOut {
                login: LoginView::Starting,
                notice: None,
            })
    }

    pub(crate) fn set_view(&self, view: AppView) {
        if let Ok(mut v) = self.0.view.lock() {
            *v = view.clone();
        }
        self.emit(CoreEvent::View { view });
    }

    pub(crate) fn set_login(&self, login: LoginView, notice: Option<LoginNotice>) {
        self.set_view(AppView::SignedOut { login, notice });
    }

    pub(crate) fn api(&self) -> &ApiClient {
        &self.0.api
    }

    pub(crate) fn device(&self) -> &DeviceInfo {
        &self.0.config.device
    }

    fn app_db<T>(&self, f: impl FnOnce(&AppDb) -> CoreResult<T>) -> CoreResult<T> {
        let db = self
            .0
            .app_db
            .lock()
            .map_err(|_| CoreError::Cache("app database lock poisoned".into()))?;
        f(&db)
    }

    pub(crate) fn remembered(&self) -> CoreResult<Option<Remembered>> {
        self.app_db(|db| db.remembered(self.server()))
    }

    pub(crate) async fn vault_get(&self, key: String) -> CoreResult<Option<String>> {
        let vault = self.0.config.vault.clone();
        blocking(move || vault.get(&key)).await
    }

    async fn vault_set(&self, key: String, secret: String) -> CoreResult<()> {
        let vault = self.0.config.vault.clone();
        blocking(move || vault.set(&key, &secret)).await
    }

    /// The account cache's key from the keyring, made on first use. Without a keyring there is
    /// no key and so no cache: the error reaches the user, nothing is stored in the clear.
    async fn cache_key(&self, server: &str, user: &Uuid) -> CoreResult<CacheKey> {
        let name = cache_key_name(server, user);
        if let Some(key) = self.vault_get(name.clone()).await? {
            if let Some(key) = CacheKey::from_hex(&key) {
                return Ok(key);
            }
            tracing::warn!("the cache key in the keyring is damaged: making a new one");
        }
        let key = CacheKey::random();
        self.vault_set(name, key.hex().to_string()).await?;
        Ok(key)
    }

    /// A forgotten account (switched away from, or signed out from another device) leaves
    /// nothing readable: its cache and the cache's key both go.
    async fn forget_cache(&self, user: &Uuid) {
        if let Err(e) = self.vault_delete(cache_key_name(self.server(), user)).await {
            tracing::error!("could not remove the cache key from the keyring: {e}");
        }
        crate::cache_key::remove_cache(&self.0.config.data_dir, user);
    }

    async fn vault_delete(&self, key: String) -> CoreResult<()> {
        let vault = self.0.config.vault.clone();
        blocking(move || vault.delete(&key)).await
    }

    /// First thing after launch: the remembered account's "Log in", or a QR code.
    pub async fn start(&self) -> CoreResult<()> {
        if let Some(r) = self.remembered()? {
            if self
                .vault_get(remember_key(self.server(), &r.user.id))
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

    async fn run_login(&self, flow: impl std::future::Future<Output = ()> + Send + 'static) {
        let mut task = self.0.login_task.lock().await;
        if let Some(old) = task.take() {
            old.abort();
        }
        *task = Some(tokio::spawn(flow));
    }

    /// Shows a QR code (refreshing it by itself when it expires) until a phone confirms.
    pub async fn start_qr_login(&self, notice: Option<LoginNotice>) {
        self.set_login(LoginView::Starting, notice.clone());
        self.run_login(login::qr_flow(self.clone(), notice)).await;
    }

    /// Asks the account's phone to confirm this remembered computer with one tap.
    pub async fn start_remembered_login(&self) -> CoreResult<()> {
        let remembered = self.remembered()?.ok_or(CoreError::SignedOut)?;
        self.run_login(login::remembered_flow(self.clone(), remembered))
            .await;
        Ok(())
    }

    /// Forgets the remembered account and shows a QR code.
    pub async fn switch_account(&self) -> CoreResult<()> {
        if let Some(r) = self.remembered()? {
            self.vault_delete(remember_key(self.server(), &r.user.id))
                .await?;
            self.vault_delete(refresh_key(self.server(), &r.user.id))
                .await?;
            self.forget_cache(&r.user.id).await;
        }
        self.app_db(|db| db.forget(self.server()))?;
        self.start_qr_login(None).await;
        Ok(())
    }

    /// Called by the login flows with the session the server handed to this computer.
    pub(crate) async fn complete_sign_in(&self, session: Session) -> CoreResult<()> {
        let server = self.server().to_string();
        // Credentials first, into the keyring: if that fails, nothing else changes.
        self.vault_set(
            refresh_key(&server, &session.user.id),
            session.refresh_token.clone(),
        )
        .await?;
        if let Some(remember) = &session.remember_token {
            self.vault_set(remember_key(&server, &session.user.id), remember.clone())
                .await?;
        }
        self.app_db(|db| {
            db.remember(
                &server,
                &Remembered {
                    user: session.user.clone(),
                    device_id: session.device_id,
                },
            )
        })?;
        let cache_key = self.cache_key(&server, &session.user.id).await?;
        let account = Arc::new(AccountSession::open(
            self.0.api.clone(),
            self.0.config.vault.clone(),
            &self.0.config.data_dir,
            session.user.clone(),
            session.device_id,
            session.access_token,
            &cache_key,
        )?);
        // Spawned while holding the lock, so the link finds the account once it runs.
        let mut slot = self.0.account.lock().await;
        let tasks = vec![
            tokio::spawn(realtime::run(self.clone())),
            tokio::spawn(outbox::run(self.clone(), account.clone())),
            tokio::spawn(upload::run(self.clone(), account.clone())),
            tokio::spawn(download::run(self.clone(), account.clone())),
        ];
        if let Some((_, old)) = slot.replace((account, tasks)) {
            old.iter().for_each(JoinHandle::abort);
        }
        drop(slot);
        self.set_view(AppView::SignedIn { user: session.user });
        Ok(())
    }

    pub(crate) async fn account(&self) -> Option<Arc<AccountSession>> {
        self.0.account.lock().await.as_ref().map(|(a, _)| a.clone())
    }

    pub(crate) async fn signed_in(&self) -> CoreResult<Arc<AccountSession>> {
        self.require_account().await
    }

    pub(crate) async fn require_account(&self) -> CoreResult<Arc<AccountSession>> {
        self.account().await.ok_or(CoreError::SignedOut)
    }

    /// Ends the local account: stops its realtime link, drops its refresh token.
    async fn close_account(&self) -> Option<Arc<AccountSession>> {
        let (account, tasks) = self.0.account.lock().await.take()?;
        tasks.iter().for_each(JoinHandle::abort);
        if let Err(e) = self
            .vault_delete(refresh_key(self.server(), &account.user.id))
            .await
        {
            tracing::error!("could not remove the refresh token from the keyring: {e}");
        }
        Some(account)
    }

    /// Sign out on this computer. It stays remembered: next time "Log in" asks the phone.
    pub async fn sign_out(&self) -> CoreResult<()> {
        if let Some(account) = self.close_account().await {
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

    /// The server ended this device's session (signed out from another device, or it reached
    /// its absolute lifetime: `notice` says which).
    pub(crate) async fn signed_out_remotely(&self, notice: LoginNotice) {
        let account = self.close_account().await;
        if let Some(account) = account {
            let _ = self
                .vault_delete(remember_key(self.server(), &account.user.id))
                .await;
            let id = account.user.id;
            drop(account);
            self.forget_cache(&id).await;
        }
        let _ = self.app_db(|db| db.forget(self.server()));
        self.start_qr_login(Some(notice)).await;
    }

    pub fn settings(&self) -> CoreResult<crate::events::AppSettings> {
        let previews = self.app_db(|db| db.setting("notification_previews"))?;
        Ok(crate::events::AppSettings {
            notification_previews: previews.as_deref() != Some("false"),
        })
    }

    pub fn set_settings(&self, settings: &crate::events::AppSettings) -> CoreResult<()> {
        let previews = if settings.notification_previews {
            "true"
        } else {
            "false"
        };
        self.app_db(|db| db.set_setting("notification_previews", previews))
    }

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

    pub async fn me(&self) -> CoreResult<UserProfile> {
        Ok(self.require_account().await?.user.clone())
    }
}
