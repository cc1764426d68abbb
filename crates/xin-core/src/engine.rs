//! The engine: one per running app. It holds the signed-in account, the app's own database and
//! keyring, and [`AppView`] — the single source of truth the UI renders. What runs in the
//! background for it (login flows, the realtime link, the workers) is started and stopped by
//! `scheduler.rs`; the feature modules add their methods in their own files.

use std::{path::PathBuf, sync::Arc};

use tokio::{
    sync::{broadcast, Mutex, MutexGuard},
    task::JoinHandle,
};
use uuid::Uuid;
use xin_proto::{DeviceInfo, DeviceKind, UserProfile};

use crate::{
    api::ApiClient,
    cache::{AppDb, Remembered},
    cache_key::{cache_key_name, CacheKey},
    error::{CoreError, CoreResult},
    events::{AppView, CoreEvent, LoginNotice, LoginView},
    language::{Language, Speaking},
    session::{blocking, AccountSession},
    vault::Vault,
};

pub struct EngineConfig {
    /// Where caches live (e.g. `~/.local/share/xin`). Never holds a credential.
    pub data_dir: PathBuf,
    /// The server's base URL, e.g. `http://127.0.0.1:7420`; none on a first run, when the
    /// login window asks for it (`server_choice.rs`).
    pub server: Option<String>,
    pub device: DeviceInfo,
    pub vault: Arc<dyn Vault>,
    /// Where received files are saved (the XDG download folder).
    pub downloads: PathBuf,
}

/// Cheap to clone; every clone is the same engine.
#[derive(Clone)]
pub struct Engine(pub(crate) Arc<Inner>);

/// The signed-in account and the tasks that live as long as it does.
pub(crate) type SignedIn = (Arc<AccountSession>, Vec<JoinHandle<()>>);

pub(crate) struct Inner {
    pub(crate) config: EngineConfig,
    /// Replaced only while signed out, when the user picks another server.
    api: std::sync::RwLock<ApiClient>,
    app_db: std::sync::Mutex<AppDb>,
    view: std::sync::Mutex<AppView>,
    events: broadcast::Sender<CoreEvent>,
    login_task: Mutex<Option<JoinHandle<()>>>,
    /// The signed-in account and its background tasks (realtime link, outbox).
    account: Mutex<Option<SignedIn>>,
    online: std::sync::atomic::AtomicBool,
    /// The language the user reads (the UI says which); the API client shares it.
    speaking: Speaking,
    /// The call this device rings, is rung for, or is in.
    pub(crate) calls: crate::calls::CallSlot,
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
        let api = ApiClient::new(config.server.as_deref().unwrap_or(""), speaking.clone())?;
        let app_db = AppDb::open(&config.data_dir.join("app.db"))?;
        Ok(Self(Arc::new(Inner {
            api: std::sync::RwLock::new(api),
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
            calls: Default::default(),
            config,
        })))
    }

    pub(crate) fn data_dir(&self) -> &std::path::Path {
        &self.0.config.data_dir
    }

    /// The server's base URL; empty until one is chosen.
    pub fn server(&self) -> String {
        self.api().base().to_string()
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

    /// The client for the chosen server (cheap: its connection pools are shared).
    pub(crate) fn api(&self) -> ApiClient {
        match self.0.api.read() {
            Ok(api) => api.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub(crate) fn set_api(&self, api: ApiClient) {
        match self.0.api.write() {
            Ok(mut slot) => *slot = api,
            Err(poisoned) => *poisoned.into_inner() = api,
        }
    }

    pub(crate) fn speaking(&self) -> Speaking {
        self.0.speaking.clone()
    }

    pub(crate) fn device(&self) -> &DeviceInfo {
        &self.0.config.device
    }

    pub(crate) fn app_db<T>(&self, f: impl FnOnce(&AppDb) -> CoreResult<T>) -> CoreResult<T> {
        let db = self
            .0
            .app_db
            .lock()
            .map_err(|_| CoreError::Cache("app database lock poisoned".into()))?;
        f(&db)
    }

    pub(crate) fn remembered(&self) -> CoreResult<Option<Remembered>> {
        self.app_db(|db| db.remembered(&self.server()))
    }

    pub(crate) async fn vault_get(&self, key: String) -> CoreResult<Option<String>> {
        let vault = self.0.config.vault.clone();
        blocking(move || vault.get(&key)).await
    }

    pub(crate) async fn vault_set(&self, key: String, secret: String) -> CoreResult<()> {
        let vault = self.0.config.vault.clone();
        blocking(move || vault.set(&key, &secret)).await
    }

    /// The account cache's key from the keyring, made on first use. Without a keyring there is
    /// no key and so no cache: the error reaches the user, nothing is stored in the clear.
    pub(crate) async fn cache_key(&self, server: &str, user: &Uuid) -> CoreResult<CacheKey> {
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
    pub(crate) async fn forget_cache(&self, user: &Uuid) {
        if let Err(e) = self
            .vault_delete(cache_key_name(&self.server(), user))
            .await
        {
            tracing::error!("could not remove the cache key from the keyring: {e}");
        }
        crate::cache_key::remove_cache(&self.0.config.data_dir, user);
    }

    pub(crate) async fn vault_delete(&self, key: String) -> CoreResult<()> {
        let vault = self.0.config.vault.clone();
        blocking(move || vault.delete(&key)).await
    }

    /// The login flow's slot: a new flow replaces (aborts) the one running.
    pub(crate) async fn replace_login_task(&self, task: JoinHandle<()>) {
        if let Some(old) = self.0.login_task.lock().await.replace(task) {
            old.abort();
        }
    }

    /// Ends the login flow running, if any (the server is about to change).
    pub(crate) async fn stop_login(&self) {
        if let Some(old) = self.0.login_task.lock().await.take() {
            old.abort();
        }
    }

    /// The signed-in account's slot, held while its workers are installed or taken down.
    pub(crate) async fn account_slot(&self) -> MutexGuard<'_, Option<SignedIn>> {
        self.0.account.lock().await
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

    pub async fn me(&self) -> CoreResult<UserProfile> {
        Ok(self.require_account().await?.user.clone())
    }
}
