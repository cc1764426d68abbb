//! The Xin API as a load client uses it: sign up, make friends, open chats, send.

use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// A WebSocket handshake, ready to connect.
pub type Handshake = tokio_tungstenite::tungstenite::handshake::client::Request;

pub type Result<T> = std::result::Result<T, String>;

#[derive(Clone)]
pub struct Api {
    pub base: String,
    http: reqwest::Client,
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    pub token: String,
}

#[derive(Deserialize)]
struct Session {
    user: Profile,
    access_token: String,
}

#[derive(Deserialize)]
struct Profile {
    id: String,
}

impl Api {
    pub fn new(base: &str) -> Result<Self> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(4096)
            .tcp_nodelay(true)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            base: base.trim_end_matches('/').to_string(),
            http,
        })
    }

    pub async fn post(&self, token: Option<&str>, path: &str, body: Value) -> Result<Value> {
        self.call(reqwest::Method::POST, token, path, body).await
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        token: Option<&str>,
        path: &str,
        body: Value,
    ) -> Result<Value> {
        let mut req = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base))
            .json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.map_err(|e| format!("{path}: {e}"))?;
        let status = r.status();
        let text = r.text().await.map_err(|e| format!("{path}: {e}"))?;
        if !status.is_success() {
            return Err(format!("{path}: {status} {text}"));
        }
        if text.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
    }

    /// A new account named `l<run>_<n>`; `run` is 4 digits, so runs never collide.
    pub async fn sign_up(&self, run: &str, n: usize) -> Result<User> {
        let v = self
            .post(
                None,
                "/accounts",
                json!({
                    "handle": format!("l{run}_{n}"),
                    "phone": format!("1{run}{n:06}"),
                    "display_name": format!("Load {n}"),
                    "password": "load generator password",
                    "device": {"name": "xin-load", "kind": "desktop", "os": "linux", "app_version": "load"}
                }),
            )
            .await?;
        let s: Session = serde_json::from_value(v).map_err(|e| e.to_string())?;
        Ok(User {
            id: s.user.id,
            token: s.access_token,
        })
    }

    pub async fn befriend(&self, a: &User, b: &User) -> Result<()> {
        let r = self
            .post(
                Some(&a.token),
                "/friend-requests",
                json!({"to": a_id(b), "greeting": ""}),
            )
            .await?;
        let id = r["id"].as_str().ok_or("friend request without id")?;
        self.post(
            Some(&b.token),
            &format!("/friend-requests/{id}/answer"),
            json!({"accept": true}),
        )
        .await
        .map(|_| ())
    }

    pub async fn open_direct(&self, a: &User, b: &User) -> Result<String> {
        let v = self
            .post(
                Some(&a.token),
                "/conversations/direct",
                json!({"with": b.id}),
            )
            .await?;
        Ok(v["id"]
            .as_str()
            .ok_or("conversation without id")?
            .to_string())
    }

    pub async fn create_group(&self, owner: &User, members: &[User]) -> Result<String> {
        let ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
        let v = self
            .post(
                Some(&owner.token),
                "/conversations",
                json!({"title": "Load group", "members": ids}),
            )
            .await?;
        Ok(v["id"]
            .as_str()
            .ok_or("conversation without id")?
            .to_string())
    }

    /// Sends a text; returns when the server acknowledged it (after its durable commit).
    pub async fn send(&self, from: &User, conv: &str, text: String) -> Result<()> {
        let body = json!({"client_id": Uuid::now_v7(), "content": {"type": "text", "text": text}});
        self.acknowledged(
            from,
            &format!("/conversations/{conv}/messages"),
            body.to_string(),
        )
        .await
    }

    /// Pays `fen` to `to` with the payment PIN; returns when the server acknowledged it (after
    /// its durable commit).
    pub async fn pay(&self, from: &User, to: &User, fen: i64, pin: &str) -> Result<()> {
        // Written directly: ids and digits need no escaping, and the generator shares the
        // server's cores.
        let body = format!(
            r#"{{"idempotency_key":"{}","payee_id":"{}","amount_fen":{fen},"note":"","pin":"{pin}"}}"#,
            Uuid::now_v7(),
            to.id
        );
        self.acknowledged(from, "/wallet/payments", body).await
    }

    /// A POST on the hot path: the answer is read whole but not parsed (the generator shares
    /// the server's cores).
    async fn acknowledged(&self, from: &User, path: &str, body: String) -> Result<()> {
        let r = self
            .http
            .post(format!("{}/api/v1{path}", self.base))
            .bearer_auth(&from.token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| format!("{path}: {e}"))?;
        let status = r.status();
        let body = r.bytes().await.map_err(|e| format!("{path}: {e}"))?;
        if status.is_success() {
            Ok(())
        } else {
            Err(format!(
                "{path}: {status} {}",
                String::from_utf8_lossy(&body)
            ))
        }
    }

    /// The realtime socket's handshake, the token in its header as the desktop sends it.
    pub fn realtime(&self, token: &str) -> Result<Handshake> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let ws = self.base.replacen("http", "ws", 1);
        let mut request = format!("{ws}/api/v1/realtime?v=2")
            .into_client_request()
            .map_err(|e| format!("realtime: {e}"))?;
        let bearer = format!("Bearer {token}")
            .parse()
            .map_err(|e| format!("realtime: {e}"))?;
        request.headers_mut().insert("authorization", bearer);
        Ok(request)
    }
}

fn a_id(u: &User) -> &str {
    &u.id
}
