#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The engine against a real server on a real port: QR login, remembered login, sign-out from
//! another device. The phone is played by plain HTTP calls, as the companion makes them.

use std::{sync::Arc, time::Duration};

use serde_json::{json, Value};
use xin_core::{
    engine::this_device,
    vault::{refresh_key, remember_key, MemoryVault, Vault},
    AppView, Engine, EngineConfig, LoginView,
};

struct Phone {
    http: reqwest::Client,
    api: String,
    access: String,
}

impl Phone {
    async fn register(server: &str, handle: &str) -> Self {
        let http = reqwest::Client::new();
        let api = format!("{server}/api/v1");
        let s: Value = http
            .post(format!("{api}/accounts"))
            .json(&json!({"handle": handle, "phone": "13800000001", "display_name": "Alice",
                "password": "correct horse",
                "device": {"name": "Pixel", "kind": "phone", "os": "Android", "app_version": "0.1.0"}}))
            .send().await.unwrap().json().await.unwrap();
        Self {
            http,
            api,
            access: s["access_token"].as_str().unwrap().to_string(),
        }
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.api))
            .bearer_auth(&self.access)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.api))
            .bearer_auth(&self.access)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn delete(&self, path: &str) -> u16 {
        self.http
            .delete(format!("{}{path}", self.api))
            .bearer_auth(&self.access)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

struct Rig {
    server: xin_server::Running,
    engine: Engine,
    vault: Arc<MemoryVault>,
    data: tempfile::TempDir,
    _server_dir: tempfile::TempDir,
}

async fn rig() -> Rig {
    rig_with(|_| {}).await
}

async fn rig_with(tweak: impl FnOnce(&mut xin_server::Config)) -> Rig {
    let server_dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut config = xin_server::Config::for_tests(server_dir.path());
    tweak(&mut config);
    let server = xin_server::start(config, listener).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::default());
    let engine = Engine::new(EngineConfig {
        data_dir: data.path().to_path_buf(),
        downloads: data.path().join("Downloads"),
        server: Some(server.url()),
        device: this_device(),
        vault: vault.clone(),
    })
    .unwrap();
    Rig {
        server,
        engine,
        vault,
        data,
        _server_dir: server_dir,
    }
}

/// Waits until the engine's view satisfies `pred`, and returns it.
async fn until(engine: &Engine, what: &str, pred: impl Fn(&AppView) -> bool) -> AppView {
    let mut events = engine.subscribe();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let view = engine.view();
        if pred(&view) {
            return view;
        }
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(_) => continue,
            Err(_) => panic!("timed out waiting for {what}; view is {view:?}"),
        }
    }
}

fn login(view: &AppView) -> Option<&LoginView> {
    match view {
        AppView::SignedOut { login, .. } => Some(login),
        AppView::SignedIn { .. } => None,
    }
}

/// Scans the QR on screen with the phone, picks the number the desktop shows, confirms.
async fn qr_sign_in(rig: &Rig, phone: &Phone) {
    let view = until(&rig.engine, "a QR code", |v| {
        matches!(login(v), Some(LoginView::Qr { .. }))
    })
    .await;
    let Some(LoginView::Qr { url, svg, .. }) = login(&view) else {
        unreachable!()
    };
    assert!(svg.starts_with("<?xml") || svg.contains("<svg"));
    let ticket = url.rsplit('/').next().unwrap().to_string();
    let (status, details) = phone
        .post(&format!("/login-tickets/{ticket}/scan"), json!(null))
        .await;
    assert_eq!(status, 200, "{details}");
    let view = until(&rig.engine, "scanned", |v| {
        matches!(login(v), Some(LoginView::Scanned { .. }))
    })
    .await;
    let Some(LoginView::Scanned {
        user,
        code,
        remembered,
    }) = login(&view)
    else {
        unreachable!()
    };
    assert_eq!(user.handle, "alice");
    assert!(!remembered);
    assert!(details["choices"]
        .as_array()
        .unwrap()
        .contains(&json!(code)));
    let (status, _) = phone
        .post(
            &format!("/login-tickets/{ticket}/confirm"),
            json!({"code": code}),
        )
        .await;
    assert_eq!(status, 204);
    until(&rig.engine, "signed in", |v| {
        matches!(v, AppView::SignedIn { .. })
    })
    .await;
}

/// Every file under the data directory, as bytes.
fn all_files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_files(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn qr_login_signs_in_and_keeps_tokens_out_of_files() {
    let rig = rig().await;
    let phone = Phone::register(&rig.server.url(), "alice").await;
    rig.engine.start().await.unwrap();
    qr_sign_in(&rig, &phone).await;

    let me = rig.engine.me().await.unwrap();
    let refresh = rig
        .vault
        .get(&refresh_key(&rig.engine.server(), &me.id))
        .unwrap()
        .expect("refresh token in the vault");
    let remember = rig
        .vault
        .get(&remember_key(&rig.engine.server(), &me.id))
        .unwrap()
        .expect("remember token in the vault");

    let devices = rig.engine.devices().await.unwrap();
    assert_eq!(devices.len(), 2);
    assert!(devices
        .iter()
        .any(|d| d.current && d.name == this_device().name));
    // Cached: readable without the network.
    assert_eq!(rig.engine.cached_devices().await.unwrap(), devices);

    let files = all_files(rig.data.path());
    assert!(!files.is_empty());
    for (path, bytes) in &files {
        assert!(
            !contains(bytes, &refresh),
            "refresh token in {}",
            path.display()
        );
        assert!(
            !contains(bytes, &remember),
            "remember token in {}",
            path.display()
        );
    }
}

#[tokio::test]
async fn sign_out_then_one_tap_login_from_the_phone() {
    let rig = rig().await;
    let phone = Phone::register(&rig.server.url(), "alice").await;
    rig.engine.start().await.unwrap();
    qr_sign_in(&rig, &phone).await;
    let me = rig.engine.me().await.unwrap();
    let first_device = rig
        .engine
        .devices()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.current)
        .unwrap()
        .id;

    rig.engine.sign_out().await.unwrap();
    let view = rig.engine.view();
    assert!(
        matches!(login(&view), Some(LoginView::Remembered { user }) if user.id == me.id),
        "{view:?}"
    );
    assert_eq!(
        rig.vault
            .get(&refresh_key(&rig.engine.server(), &me.id))
            .unwrap(),
        None,
        "refresh token gone"
    );

    // A restart lands on the remembered account too.
    let again = Engine::new(EngineConfig {
        data_dir: rig.data.path().to_path_buf(),
        downloads: rig.data.path().join("Downloads"),
        server: Some(rig.server.url()),
        device: this_device(),
        vault: rig.vault.clone(),
    })
    .unwrap();
    again.start().await.unwrap();
    assert!(matches!(
        login(&again.view()),
        Some(LoginView::Remembered { .. })
    ));

    again.start_remembered_login().await.unwrap();
    let waiting = loop {
        let w = phone.get("/login-tickets/waiting").await;
        if !w["tickets"].as_array().unwrap().is_empty() {
            break w;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let ticket = waiting["tickets"][0]["ticket_id"].as_str().unwrap();
    assert_eq!(
        phone
            .post(&format!("/login-tickets/{ticket}/confirm"), json!({}))
            .await
            .0,
        204
    );
    until(&again, "signed in again", |v| {
        matches!(v, AppView::SignedIn { .. })
    })
    .await;
    let device = again
        .devices()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.current)
        .unwrap()
        .id;
    assert_eq!(device, first_device, "the same remembered device");
}

#[tokio::test]
async fn signed_out_from_the_phone_returns_to_the_qr_and_says_why() {
    let rig = rig().await;
    let phone = Phone::register(&rig.server.url(), "alice").await;
    rig.engine.start().await.unwrap();
    qr_sign_in(&rig, &phone).await;
    let me = rig.engine.me().await.unwrap();
    let desktop = rig
        .engine
        .devices()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.current)
        .unwrap()
        .id;
    // Wait for the realtime link before pulling the plug.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !rig.engine.is_online() {
        assert!(
            std::time::Instant::now() < deadline,
            "the realtime link comes up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    assert_eq!(phone.delete(&format!("/devices/{desktop}")).await, 204);
    let view = until(&rig.engine, "signed out with a notice", |v| {
        matches!(v, AppView::SignedOut { notice: Some(_), login } if matches!(login, LoginView::Qr { .. } | LoginView::Starting))
    })
    .await;
    let AppView::SignedOut {
        notice: Some(notice),
        ..
    } = view
    else {
        unreachable!()
    };
    assert_eq!(notice, xin_core::events::LoginNotice::SignedOutElsewhere);
    assert_eq!(
        rig.vault
            .get(&refresh_key(&rig.engine.server(), &me.id))
            .unwrap(),
        None
    );
    assert_eq!(
        rig.vault
            .get(&remember_key(&rig.engine.server(), &me.id))
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn declined_on_the_phone_shows_declined() {
    let rig = rig().await;
    let phone = Phone::register(&rig.server.url(), "alice").await;
    rig.engine.start().await.unwrap();
    let view = until(&rig.engine, "a QR code", |v| {
        matches!(login(v), Some(LoginView::Qr { .. }))
    })
    .await;
    let Some(LoginView::Qr { url, .. }) = login(&view) else {
        unreachable!()
    };
    let ticket = url.rsplit('/').next().unwrap().to_string();
    phone
        .post(&format!("/login-tickets/{ticket}/scan"), json!(null))
        .await;
    phone
        .post(&format!("/login-tickets/{ticket}/decline"), json!(null))
        .await;
    until(&rig.engine, "declined", |v| {
        matches!(login(v), Some(LoginView::Declined))
    })
    .await;
}

#[tokio::test]
async fn an_unreachable_server_is_said_plainly() {
    let data = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let engine = Engine::new(EngineConfig {
        data_dir: data.path().to_path_buf(),
        downloads: data.path().join("Downloads"),
        server: Some(format!("http://127.0.0.1:{port}")),
        device: this_device(),
        vault: Arc::new(MemoryVault::default()),
    })
    .unwrap();
    engine.start().await.unwrap();
    let view = until(&engine, "unreachable", |v| {
        matches!(login(v), Some(LoginView::Unreachable { .. }))
    })
    .await;
    let Some(LoginView::Unreachable { server, error, .. }) = login(&view) else {
        unreachable!()
    };
    // The UI says "Cannot reach the Xin server at …" in the reader's language.
    assert_eq!(*server, engine.server());
    assert_eq!(*error, None);
}

/// A session past the server's absolute lifetime ends at the next refresh: the desktop returns
/// to the QR code and says why (not "signed out elsewhere").
#[tokio::test]
async fn a_session_past_its_lifetime_returns_to_the_qr_and_says_so() {
    let rig = rig_with(|c| {
        c.access_ttl_secs = 1;
        c.session_max_days = 0;
    })
    .await;
    let phone = Phone::register(&rig.server.url(), "alice").await;
    rig.engine.start().await.unwrap();
    qr_sign_in(&rig, &phone).await;
    // The next call after the access token lapsed refreshes, and the refresh is refused.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let refused = rig.engine.devices().await.unwrap_err();
    assert_eq!(
        refused.api_code(),
        Some(xin_proto::ErrorCode::SessionExpired)
    );
    let view = until(&rig.engine, "signed out with a notice", |v| {
        matches!(
            v,
            AppView::SignedOut {
                notice: Some(_),
                ..
            }
        )
    })
    .await;
    let AppView::SignedOut {
        notice: Some(notice),
        ..
    } = view
    else {
        unreachable!()
    };
    assert_eq!(notice, xin_core::events::LoginNotice::SessionExpired);
}

/// A first run names no server: the login window asks. What does not answer as Xin changes
/// nothing; the address typed without a scheme connects, is remembered for the next launch, and
/// its QR shows. While signed in the server cannot change.
#[tokio::test]
async fn a_first_run_asks_for_the_server_and_remembers_the_one_that_answers() {
    let rig = rig().await;
    let engine = Engine::new(EngineConfig {
        data_dir: rig.data.path().join("first-run"),
        downloads: rig.data.path().join("Downloads"),
        server: None,
        device: this_device(),
        vault: rig.vault.clone(),
    })
    .unwrap();
    engine.start().await.unwrap();
    assert_eq!(
        login(&engine.view()),
        Some(&LoginView::ChooseServer { current: None })
    );
    // A refresh of the QR (a stale button) asks again rather than trying no server.
    engine.start_qr_login(None).await;
    assert_eq!(
        login(&engine.view()),
        Some(&LoginView::ChooseServer { current: None })
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = engine
        .choose_server(&format!("http://127.0.0.1:{closed}"))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, xin_core::CoreError::Unreachable(ref at) if at.contains(&closed.to_string())),
        "{refused:?}"
    );
    let bad = engine.choose_server("gopher://x").await.unwrap_err();
    assert_eq!(bad.api_code(), Some(xin_proto::ErrorCode::InvalidRequest));
    assert_eq!(engine.server(), "");
    assert_eq!(
        xin_core::server_choice::last_server(&rig.data.path().join("first-run")),
        None
    );

    let typed = rig.server.url().replace("http://", "");
    let chosen = engine.choose_server(&typed).await.unwrap();
    assert_eq!(chosen, rig.server.url());
    assert_eq!(engine.server(), rig.server.url());
    assert_eq!(
        xin_core::server_choice::last_server(&rig.data.path().join("first-run")),
        Some(rig.server.url())
    );
    until(&engine, "the chosen server's QR", |v| {
        matches!(login(v), Some(LoginView::Qr { url, .. }) if url.starts_with(&rig.server.url()))
    })
    .await;

    // "Change", then "Cancel": back to this server's QR.
    engine.ask_for_server().await.unwrap();
    assert_eq!(
        login(&engine.view()),
        Some(&LoginView::ChooseServer {
            current: Some(rig.server.url())
        })
    );
    engine.keep_server().await.unwrap();
    until(&engine, "the QR again", |v| {
        matches!(login(v), Some(LoginView::Qr { .. }))
    })
    .await;

    // Signed in, the server stays.
    let phone = Phone::register(&rig.server.url(), "alice").await;
    let rig2 = Rig {
        engine: engine.clone(),
        ..rig
    };
    qr_sign_in(&rig2, &phone).await;
    let refused = engine.ask_for_server().await.unwrap_err();
    assert_eq!(
        refused.api_code(),
        Some(xin_proto::ErrorCode::InvalidRequest)
    );
    assert!(engine.choose_server("127.0.0.1:1").await.is_err());
    assert_eq!(engine.server(), rig2.server.url());
}
