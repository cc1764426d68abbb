//! A real `xin-server` on a real loopback port with a real SQLite store, and a tiny client.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use xin_server::{Config, Running};

pub struct TestServer {
    pub running: Option<Running>,
    pub url: String,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::with(|_| {}).await
    }

    pub async fn with(tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_tests(dir.path());
        tweak(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = xin_server::start(config, listener).await.unwrap();
        Self {
            url: running.url(),
            running: Some(running),
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/api/v1{path}", self.url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, None, Some(body)).await
    }

    pub async fn register(&self, handle: &str, phone: &str) -> User {
        let (status, body) = self
            .post(
                "/accounts",
                json!({"handle": handle, "phone": phone, "display_name": handle.to_uppercase(),
                       "password": "correct horse", "device": phone_device()}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        User::from(&body)
    }

    pub async fn sign_in(&self, login: &str, device: Value) -> User {
        let (status, body) = self
            .post(
                "/sessions",
                json!({"login": login, "password": "correct horse", "device": device}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        User::from(&body)
    }
}

pub struct User {
    pub id: String,
    pub device_id: String,
    pub access: String,
    pub refresh: String,
}

impl User {
    pub fn from(session: &Value) -> Self {
        Self {
            id: session["user"]["id"].as_str().unwrap().to_string(),
            device_id: session["device_id"].as_str().unwrap().to_string(),
            access: session["access_token"].as_str().unwrap().to_string(),
            refresh: session["refresh_token"].as_str().unwrap().to_string(),
        }
    }
}

pub fn phone_device() -> Value {
    json!({"name": "Pixel 9", "kind": "phone", "os": "Android 15", "app_version": "0.1.0"})
}

pub fn desktop_device() -> Value {
    json!({"name": "Alice's ThinkPad", "kind": "desktop", "os": "Linux", "app_version": "0.1.0"})
}

/// Asserts the stable error shape and code.
#[track_caller]
pub fn assert_error(result: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(result.0, status, "{}", result.1);
    assert_eq!(result.1["error"]["code"], code, "{}", result.1);
    assert!(result.1["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}
