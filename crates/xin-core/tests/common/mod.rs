//! People with real engines against a real server, for tests that read like the feature:
//! `let (alice, bob) = pair().await; alice.say(..); bob.expect(..)`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

/// Waits (on the engine's events, no busy loop) until `$check` holds for `$p`.
#[macro_export]
macro_rules! until {
    ($p:expr, $what:expr, $check:expr) => {{
        let p = &$p;
        let mut events = p.engine.subscribe();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if $check {
                break;
            }
            if tokio::time::timeout_at(deadline, events.recv())
                .await
                .is_err()
            {
                panic!("{}: timed out waiting for {}", p.handle, $what);
            }
        }
    }};
}

use std::{path::PathBuf, sync::Arc, time::Duration};

use serde_json::{json, Value};
use uuid::Uuid;
use xin_core::{
    engine::this_device, vault::MemoryVault, views::SendState, AppView, CoreEvent, Engine,
    EngineConfig, LoginView,
};

pub struct Server {
    pub running: Option<xin_server::Running>,
    pub url: String,
    pub addr: std::net::SocketAddr,
    pub dir: tempfile::TempDir,
}

impl Server {
    pub async fn start() -> Self {
        Self::with(|_| {}).await
    }

    /// A server whose settings the test changes (restarts keep the test's defaults).
    pub async fn with(tweak: impl FnOnce(&mut xin_server::Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut config = xin_server::Config::for_tests(dir.path());
        tweak(&mut config);
        let running = xin_server::start(config, listener).await.unwrap();
        Self {
            url: running.url(),
            addr: running.addr,
            running: Some(running),
            dir,
        }
    }

    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }

    /// Starts again on the same port with the same data.
    pub async fn restart(&mut self) {
        self.stop().await;
        let listener = loop {
            match tokio::net::TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        self.running = Some(
            xin_server::start(xin_server::Config::for_tests(self.dir.path()), listener)
                .await
                .unwrap(),
        );
    }
}

pub struct Person {
    pub engine: Engine,
    pub id: Uuid,
    pub handle: String,
    phone_access: String,
    api: String,
    base: String,
    http: reqwest::Client,
    vault: Arc<MemoryVault>,
    _data: tempfile::TempDir,
}

fn login(view: &AppView) -> Option<&LoginView> {
    match view {
        AppView::SignedOut { login, .. } => Some(login),
        AppView::SignedIn { .. } => None,
    }
}

async fn wait_view(engine: &Engine, pred: impl Fn(&AppView) -> bool) -> AppView {
    let mut events = engine.subscribe();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let v = engine.view();
        if pred(&v) {
            return v;
        }
        if tokio::time::timeout_at(deadline, events.recv())
            .await
            .is_err()
        {
            panic!("view never came: {v:?}");
        }
    }
}

impl Person {
    /// Registers on the phone companion and signs a desktop engine in by QR.
    pub async fn join(server: &Server, handle: &str, phone: &str) -> Self {
        Self::join_at(&server.url, handle, phone).await
    }

    /// The same, against any base URL (a proxy in front of the server, say).
    pub async fn join_at(url: &str, handle: &str, phone: &str) -> Self {
        let http = reqwest::Client::new();
        let api = format!("{url}/api/v1");
        let s: Value = http
            .post(format!("{api}/accounts"))
            .json(&json!({"handle": handle, "phone": phone, "display_name": capitalise(handle), "password": "correct horse",
                "device": {"name": "Phone", "kind": "phone", "os": "Android", "app_version": "0.1.0"}}))
            .send().await.unwrap().json().await.unwrap();
        let phone_access = s["access_token"].as_str().unwrap().to_string();
        let id = Uuid::parse_str(s["user"]["id"].as_str().unwrap()).unwrap();
        let mut person = Self::device(url, &http, &api, id, handle, phone_access).await;
        person.http = http;
        person
    }

    /// Another desktop of the same account.
    pub async fn second_device(&self, server: &Server) -> Self {
        Self::device(
            &server.url,
            &self.http,
            &self.api,
            self.id,
            &self.handle,
            self.phone_access.clone(),
        )
        .await
    }

    async fn device(
        base: &str,
        http: &reqwest::Client,
        api: &str,
        id: Uuid,
        handle: &str,
        phone_access: String,
    ) -> Self {
        let data = tempfile::tempdir().unwrap();
        let vault = Arc::new(MemoryVault::default());
        let engine = Engine::new(EngineConfig {
            data_dir: data.path().to_path_buf(),
            downloads: data.path().join("Downloads"),
            server: Some(base.to_string()),
            device: this_device(),
            vault: vault.clone(),
        })
        .unwrap();
        engine.start().await.unwrap();
        let v = wait_view(&engine, |v| matches!(login(v), Some(LoginView::Qr { .. }))).await;
        let Some(LoginView::Qr { url, .. }) = login(&v) else {
            unreachable!()
        };
        let ticket = url.rsplit('/').next().unwrap().to_string();
        http.post(format!("{api}/login-tickets/{ticket}/scan"))
            .bearer_auth(&phone_access)
            .send()
            .await
            .unwrap();
        let v = wait_view(&engine, |v| {
            matches!(login(v), Some(LoginView::Scanned { .. }))
        })
        .await;
        let Some(LoginView::Scanned { code, .. }) = login(&v) else {
            unreachable!()
        };
        http.post(format!("{api}/login-tickets/{ticket}/confirm"))
            .bearer_auth(&phone_access)
            .json(&json!({"code": code}))
            .send()
            .await
            .unwrap();
        wait_view(&engine, |v| matches!(v, AppView::SignedIn { .. })).await;
        let p = Self {
            engine,
            id,
            handle: handle.to_string(),
            phone_access,
            api: api.to_string(),
            base: base.to_string(),
            http: http.clone(),
            vault,
            _data: data,
        };
        until!(p, "online", p.engine.is_online());
        p
    }

    /// Quits the app and starts it again on the same data ("Log in", confirmed on the phone).
    pub async fn relaunch(&mut self) {
        self.engine.shut_down().await;
        self.engine = Engine::new(EngineConfig {
            data_dir: self.data_dir(),
            downloads: self.data_dir().join("Downloads"),
            server: Some(self.base.clone()),
            device: this_device(),
            vault: self.vault.clone(),
        })
        .unwrap();
        self.engine.start().await.unwrap();
        self.engine.start_remembered_login().await.unwrap();
        // The phone polls like a real one: a request on a pooled connection that a test proxy
        // has just cut fails once, and the next poll opens a fresh connection.
        let ticket = loop {
            let polled = self
                .http
                .get(format!("{}/login-tickets/waiting", self.api))
                .bearer_auth(&self.phone_access)
                .send()
                .await;
            let waiting = match polled {
                Ok(r) => r.json::<Value>().await.ok(),
                Err(_) => None,
            };
            if let Some(t) = waiting
                .as_ref()
                .and_then(|w| w["tickets"][0]["ticket_id"].as_str())
            {
                break t.to_string();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        self.http
            .post(format!("{}/login-tickets/{ticket}/confirm", self.api))
            .bearer_auth(&self.phone_access)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        wait_view(&self.engine, |v| matches!(v, AppView::SignedIn { .. })).await;
    }

    /// What this desktop keeps in the keyring: tokens and the cache key.
    pub fn secrets(&self) -> Vec<String> {
        self.vault.secrets().unwrap()
    }

    pub fn data_dir(&self) -> PathBuf {
        self._data.path().to_path_buf()
    }

    pub async fn befriend(&self, other: &Person) {
        let found = self
            .engine
            .search_users(other.handle.clone())
            .await
            .unwrap();
        assert_eq!(found[0].id, other.id);
        let req = self
            .engine
            .send_friend_request(other.id, format!("Hi, I'm {}", self.handle))
            .await
            .unwrap();
        until!(
            other,
            "the friend request",
            other
                .engine
                .contacts()
                .await
                .unwrap()
                .requests
                .iter()
                .any(|r| r.id == req.id)
        );
        other
            .engine
            .answer_friend_request(req.id, true)
            .await
            .unwrap();
        for p in [self, other] {
            let friend = if p.id == self.id { other.id } else { self.id };
            until!(
                p,
                "the new friend",
                p.engine
                    .contacts()
                    .await
                    .unwrap()
                    .contacts
                    .iter()
                    .any(|c| c.user.id == friend)
            );
        }
    }

    /// A call as this person's phone (the companion), answering the JSON.
    pub async fn phone_post(&self, path: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}{path}", self.api))
            .bearer_auth(&self.phone_access)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }

    /// Raw bytes posted as this person's phone (a console upload), answering the JSON.
    pub async fn phone_upload(&self, path: &str, bytes: Vec<u8>, content_type: &str) -> Value {
        let r = self
            .http
            .post(format!("{}{path}", self.api))
            .bearer_auth(&self.phone_access)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }

    pub async fn chat_with(&self, other: &Person) -> Uuid {
        self.engine.open_direct(other.id).await.unwrap().id
    }

    pub async fn say(&self, conv: Uuid, text: &str) {
        self.engine
            .send_text(conv, text.to_string(), None, vec![], false)
            .await
            .unwrap();
    }

    /// Texts in the conversation as this device's cache has them (sent ones only), oldest first.
    pub async fn texts(&self, conv: Uuid) -> Vec<String> {
        let mut all = Vec::new();
        let mut before = None;
        loop {
            let page = self.engine.messages(conv, before).await.unwrap();
            let sent: Vec<_> = page.iter().filter(|m| m.state == SendState::Sent).collect();
            if sent.is_empty() {
                break;
            }
            before = Some(sent[0].message.seq);
            let mut texts: Vec<String> = sent.iter().map(|m| text_of(&m.message)).collect();
            texts.extend(all);
            all = texts;
            if before == Some(1) {
                break;
            }
        }
        all
    }

    /// Waits until this device's cache shows exactly `expected` (sent) in `conv`.
    pub async fn expect(&self, conv: Uuid, expected: &[&str]) {
        let want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        let mut events = self.engine.subscribe();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let got = self.texts(conv).await;
            if got == want {
                return;
            }
            if tokio::time::timeout_at(deadline, events.recv())
                .await
                .is_err()
            {
                panic!("{} expected {want:?} in the chat, has {got:?}", self.handle);
            }
        }
    }

    pub async fn unread(&self, conv: Uuid) -> i64 {
        self.engine
            .chats()
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.conversation.id == conv)
            .map(|c| c.conversation.unread)
            .unwrap_or(-1)
    }

    pub async fn expect_unread(&self, conv: Uuid, n: i64) {
        until!(self, format!("unread = {n}"), self.unread(conv).await == n);
    }
}

pub fn text_of(m: &xin_proto::Message) -> String {
    match (&m.content, m.recalled) {
        (_, true) => "<recalled>".to_string(),
        (xin_proto::Content::Text { text, .. }, _) => text.clone(),
        (xin_proto::Content::System { text, .. }, _) => format!("[{text}]"),
        (other, _) => xin_core::preview::one_line(other, xin_core::language::Language::English),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Two friends, each with a signed-in desktop.
pub async fn pair(server: &Server) -> (Person, Person) {
    let alice = Person::join(server, "alice", "13800000001").await;
    let bob = Person::join(server, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    (alice, bob)
}

pub fn is_event(e: &CoreEvent) -> bool {
    matches!(e, CoreEvent::MessagesChanged { .. })
}

/// Polls `f` until it answers something, for up to `within`.
pub async fn wait_for<T>(what: &str, within: Duration, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The photos, files and voice messages of a chat that the server has.
pub async fn sent_media(p: &Person, conv: Uuid) -> Vec<xin_core::views::ChatMessage> {
    p.engine
        .messages(conv, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| {
            m.state == xin_core::views::SendState::Sent
                && !matches!(m.message.content, xin_proto::Content::Text { .. })
        })
        .collect()
}
