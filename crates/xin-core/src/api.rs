//! The HTTP client for `/api/v1`. Every answer is either the typed body or a [`CoreError`].

use std::time::Duration;

pub use reqwest::Method;
use reqwest::StatusCode;
use serde::{de::DeserializeOwned, Serialize};
use tokio_tungstenite::tungstenite;
use uuid::Uuid;
use xin_proto::*;

use crate::{
    error::{CoreError, CoreResult},
    language::Speaking,
};

#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    /// For file transfers: no limit on a whole request (a big download takes as long as it
    /// takes), only on silence.
    pub(crate) transfer_http: reqwest::Client,
    /// For a stream of pieces, which may take minutes before its answer: no read limit here
    /// (reqwest's would count the whole send); the uploader watches for silence itself.
    pub(crate) upload_http: reqwest::Client,
    pub(crate) base: String,
    speaking: Speaking,
}

impl ApiClient {
    pub fn new(base: &str, speaking: Speaking) -> CoreResult<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            // Long enough for the 25 s long-poll of a login ticket.
            .timeout(Duration::from_secs(40))
            .user_agent(format!("xin-desktop/{APP_VERSION}"))
            .build()
            .map_err(|e| CoreError::Protocol(e.to_string()))?;
        let transfer_http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .read_timeout(Duration::from_secs(30))
            .user_agent(format!("xin-desktop/{APP_VERSION}"))
            .build()
            .map_err(|e| CoreError::Protocol(e.to_string()))?;
        let upload_http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .tcp_keepalive(Duration::from_secs(15))
            .user_agent(format!("xin-desktop/{APP_VERSION}"))
            .build()
            .map_err(|e| CoreError::Protocol(e.to_string()))?;
        Ok(Self {
            http,
            transfer_http,
            upload_http,
            base: base.trim_end_matches('/').to_string(),
            speaking,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The realtime socket's handshake (`ws://.../api/v1/realtime?v=WIRE_VERSION`), with the
    /// access token in its header: never in the address, which proxies log.
    // The error is tungstenite's own, as large as `connect_async` returns it.
    #[allow(clippy::result_large_err)]
    pub fn realtime_request(
        &self,
        access_token: &str,
    ) -> Result<tungstenite::handshake::client::Request, tungstenite::Error> {
        use tungstenite::client::IntoClientRequest;
        let ws = if let Some(rest) = self.base.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = self.base.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            self.base.clone()
        };
        let mut request = format!("{ws}{API_PREFIX}/realtime?v={}", xin_proto::WIRE_VERSION)
            .into_client_request()?;
        let bearer = reqwest::header::HeaderValue::from_str(&format!("Bearer {access_token}"))
            .map_err(|e| tungstenite::Error::HttpFormat(e.into()))?;
        request
            .headers_mut()
            .insert(reqwest::header::AUTHORIZATION, bearer);
        Ok(request)
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> CoreResult<Option<T>> {
        let mut req = self
            .http
            .request(method, format!("{}{API_PREFIX}{path}", self.base))
            // The server words its errors in the user's language.
            .header(reqwest::header::ACCEPT_LANGUAGE, self.speaking.get().code());
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| CoreError::Unreachable(without_url(e)))?;
        let status = resp.status();
        if status == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| CoreError::Unreachable(without_url(e)))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| CoreError::Protocol(e.to_string()));
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => Err(CoreError::Api {
                code: body.error.code,
                message: body.error.message,
            }),
            Err(_) => Err(CoreError::Protocol(format!("HTTP {status}"))),
        }
    }

    async fn json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> CoreResult<T> {
        self.call(method, path, token, body)
            .await?
            .ok_or_else(|| CoreError::Protocol("empty answer".into()))
    }

    /// An authenticated call answering JSON.
    pub async fn send_json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        access: &str,
        body: Option<&B>,
    ) -> CoreResult<T> {
        self.json(method, path, Some(access), body).await
    }

    /// An authenticated call whose answer may be empty (204 gives `None`).
    pub async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        access: &str,
        body: Option<&B>,
    ) -> CoreResult<Option<T>> {
        self.call(method, path, Some(access), body).await
    }

    pub async fn health(&self) -> CoreResult<Health> {
        self.json::<(), _>(Method::GET, "/health", None, None).await
    }

    pub async fn create_ticket(&self, device: &DeviceInfo) -> CoreResult<TicketCreated> {
        let body = CreateTicketRequest {
            device: device.clone(),
        };
        self.json(Method::POST, "/login-tickets", None, Some(&body))
            .await
    }

    pub async fn remembered_login(
        &self,
        remember_token: &str,
        device: &DeviceInfo,
    ) -> CoreResult<TicketCreated> {
        let body = RememberedLoginRequest {
            remember_token: remember_token.to_string(),
            device: device.clone(),
        };
        self.json(Method::POST, "/login-tickets/remembered", None, Some(&body))
            .await
    }

    pub async fn wait_ticket(
        &self,
        ticket_id: &str,
        poll_secret: &str,
        known: TicketPhase,
    ) -> CoreResult<TicketState> {
        let body = WaitTicketRequest {
            poll_secret: poll_secret.to_string(),
            known,
        };
        self.json(
            Method::POST,
            &format!("/login-tickets/{ticket_id}/wait"),
            None,
            Some(&body),
        )
        .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> CoreResult<Session> {
        let body = RefreshRequest {
            refresh_token: refresh_token.to_string(),
        };
        self.json(Method::POST, "/sessions/refresh", None, Some(&body))
            .await
    }

    pub async fn sign_out(&self, access: &str) -> CoreResult<()> {
        self.call::<(), serde_json::Value>(Method::DELETE, "/sessions/current", Some(access), None)
            .await
            .map(|_| ())
    }

    pub async fn me(&self, access: &str) -> CoreResult<UserProfile> {
        self.json::<(), _>(Method::GET, "/me", Some(access), None)
            .await
    }

    pub async fn devices(&self, access: &str) -> CoreResult<DeviceList> {
        self.json::<(), _>(Method::GET, "/devices", Some(access), None)
            .await
    }

    pub async fn remove_device(&self, access: &str, device_id: Uuid) -> CoreResult<()> {
        self.call::<(), serde_json::Value>(
            Method::DELETE,
            &format!("/devices/{device_id}"),
            Some(access),
            None,
        )
        .await
        .map(|_| ())
    }
}

/// reqwest puts the URL in its messages; ours carry tokens in query strings only for the
/// WebSocket, but keep every URL out of what the UI shows anyway.
pub(crate) fn without_url(e: reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "connection refused or no network"
    } else if e.is_timeout() {
        "timed out"
    } else {
        "network error"
    };
    kind.to_string()
}
