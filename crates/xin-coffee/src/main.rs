//! Summit Coffee's backend: what a real mini-program's own server does with Xin.
//!
//! - `POST /api/login {code}`: trades the code from `xin.login()` with Xin (using the account's
//!   access token, bought with its secret) for the user's openid; answers a session.
//! - `GET /api/menu`, `POST /api/orders`: prices the cart itself and creates the order with
//!   Xin, so the page never sets an amount.
//! - `GET /api/orders/{id}`: the order's state, from Xin's webhook or, if it has not come yet,
//!   from Xin directly.
//! - `POST /webhook`: Xin's signed deliveries (`order_paid`).
//!
//! Usage: `xin-coffee --xin URL --account ID --secret SECRET [--listen 127.0.0.1:7431]`

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::Sha256;
use uuid::Uuid;

const MENU: &[(&str, &str, &str, i64)] = &[
    ("flat-white", "☕", "Flat white", 2_800),
    ("pour-over", "🫖", "Yunnan pour-over", 3_200),
    ("iced-latte", "🧊", "Iced oat latte", 3_000),
    ("croissant", "🥐", "Butter croissant", 1_800),
    ("energy-bar", "🍫", "Crag energy bar", 1_200),
];

struct Order {
    number: String,
    openid: String,
    amount_fen: i64,
    paid: bool,
}

struct Shop {
    xin: String,
    account: String,
    secret: String,
    http: reqwest::Client,
    token: tokio::sync::Mutex<Option<(String, Instant)>>,
    sessions: Mutex<HashMap<String, String>>,
    orders: Mutex<HashMap<Uuid, Order>>,
    next_number: Mutex<u32>,
}

type App = Arc<Shop>;

struct Failure(StatusCode, String);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": self.1}))).into_response()
    }
}

type Answer = Result<Json<Value>, Failure>;

fn bad(status: StatusCode, why: impl Into<String>) -> Failure {
    Failure(status, why.into())
}

impl Shop {
    /// An access token for the account, bought with its secret and kept for an hour (they
    /// live two).
    async fn token(&self) -> Result<String, Failure> {
        let mut token = self.token.lock().await;
        if let Some((t, at)) = token.as_ref() {
            if at.elapsed() < Duration::from_secs(3_600) {
                return Ok(t.clone());
            }
        }
        let v = self
            .xin_call(
                reqwest::Method::POST,
                "/official-tokens",
                None,
                Some(json!({"account_id": self.account, "secret": self.secret})),
            )
            .await?;
        let t = v["access_token"]
            .as_str()
            .ok_or_else(|| bad(StatusCode::BAD_GATEWAY, "no token from Xin"))?
            .to_string();
        *token = Some((t.clone(), Instant::now()));
        Ok(t)
    }

    async fn xin_call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<Value, Failure> {
        let mut req = self
            .http
            .request(method, format!("{}/api/v1{path}", self.xin));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| bad(StatusCode::BAD_GATEWAY, format!("Xin: {e}")))?;
        let status = resp.status();
        let v: Value = resp.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            let why = v["error"]["message"]
                .as_str()
                .unwrap_or("Xin refused")
                .to_string();
            return Err(bad(StatusCode::BAD_GATEWAY, why));
        }
        Ok(v)
    }

    async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, Failure> {
        let token = self.token().await?;
        self.xin_call(method, path, Some(&token), body).await
    }

    fn openid(&self, session: &str) -> Result<String, Failure> {
        self.sessions
            .lock()
            .ok()
            .and_then(|s| s.get(session).cloned())
            .ok_or_else(|| bad(StatusCode::UNAUTHORIZED, "Sign in again."))
    }
}

#[derive(Deserialize)]
struct Login {
    code: String,
}

async fn login(State(shop): State<App>, Json(l): Json<Login>) -> Answer {
    let v = shop
        .api(
            reqwest::Method::POST,
            "/official-api/mini-programs/summit-coffee/sessions",
            Some(json!({"code": l.code})),
        )
        .await?;
    let openid = v["openid"]
        .as_str()
        .ok_or_else(|| bad(StatusCode::BAD_GATEWAY, "no openid"))?
        .to_string();
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    let session = hex::encode(bytes);
    if let Ok(mut s) = shop.sessions.lock() {
        s.insert(session.clone(), openid);
    }
    Ok(Json(json!({"session": session})))
}

#[derive(Deserialize)]
struct SessionQuery {
    session: String,
}

async fn me(State(shop): State<App>, Query(q): Query<SessionQuery>) -> Answer {
    Ok(Json(json!({"openid": shop.openid(&q.session)?})))
}

async fn menu() -> Json<Value> {
    let items: Vec<Value> = MENU
        .iter()
        .map(|(id, emoji, name, price)| json!({"id": id, "emoji": emoji, "name": name, "price_fen": price}))
        .collect();
    Json(json!({"items": items}))
}

#[derive(Deserialize)]
struct Item {
    id: String,
    qty: i64,
}

#[derive(Deserialize)]
struct NewOrder {
    session: String,
    items: Vec<Item>,
    #[serde(default)]
    name: String,
}

async fn create_order(State(shop): State<App>, Json(o): Json<NewOrder>) -> Answer {
    let openid = shop.openid(&o.session)?;
    let mut total = 0;
    let mut what = Vec::new();
    for item in &o.items {
        let (_, _, name, price) = MENU.iter().find(|m| m.0 == item.id).ok_or_else(|| {
            bad(
                StatusCode::BAD_REQUEST,
                format!("{} is not on the menu", item.id),
            )
        })?;
        if !(1..=20).contains(&item.qty) {
            return Err(bad(StatusCode::BAD_REQUEST, "1 to 20 of each"));
        }
        total += price * item.qty;
        what.push(format!("{name} ×{}", item.qty));
    }
    if what.is_empty() {
        return Err(bad(StatusCode::BAD_REQUEST, "The cart is empty."));
    }
    let number = {
        let mut n = shop
            .next_number
            .lock()
            .map_err(|_| bad(StatusCode::INTERNAL_SERVER_ERROR, "lock"))?;
        *n += 1;
        format!("A{:03}", *n)
    };
    let mut description = what.join(", ");
    if !o.name.trim().is_empty() {
        description = format!("{description} for {}", o.name.trim());
    }
    let description: String = description.chars().take(64).collect();
    let out_trade_no = format!("SC-{}-{number}", std::process::id());
    let v = shop
        .api(
            reqwest::Method::POST,
            "/official-api/mini-programs/summit-coffee/orders",
            Some(json!({"openid": openid, "amount_fen": total, "description": description, "out_trade_no": out_trade_no})),
        )
        .await?;
    let id = v["id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| bad(StatusCode::BAD_GATEWAY, "no order id"))?;
    if let Ok(mut orders) = shop.orders.lock() {
        orders.insert(
            id,
            Order {
                number: number.clone(),
                openid,
                amount_fen: total,
                paid: false,
            },
        );
    }
    Ok(Json(
        json!({"order_id": id, "number": number, "amount_fen": total}),
    ))
}

async fn order(
    State(shop): State<App>,
    Path(id): Path<Uuid>,
    Query(q): Query<SessionQuery>,
) -> Answer {
    let openid = shop.openid(&q.session)?;
    let known = shop.orders.lock().ok().and_then(|o| {
        o.get(&id)
            .filter(|o| o.openid == openid)
            .map(|o| (o.number.clone(), o.amount_fen, o.paid))
    });
    let (number, amount, mut paid) =
        known.ok_or_else(|| bad(StatusCode::NOT_FOUND, "No such order."))?;
    // The webhook may not have arrived yet: Xin's own record decides.
    if !paid {
        let v = shop
            .api(
                reqwest::Method::GET,
                &format!("/official-api/mini-programs/summit-coffee/orders/{id}"),
                None,
            )
            .await?;
        paid = v["state"] == "paid";
        if paid {
            mark_paid(&shop, id);
        }
    }
    Ok(Json(
        json!({"number": number, "amount_fen": amount, "state": if paid { "paid" } else { "created" }}),
    ))
}

fn mark_paid(shop: &Shop, id: Uuid) {
    if let Ok(mut orders) = shop.orders.lock() {
        if let Some(o) = orders.get_mut(&id) {
            o.paid = true;
        }
    }
}

/// Xin's deliveries: HMAC-SHA256 with the account's secret over `timestamp\nnonce\nbody`.
async fn webhook(State(shop): State<App>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (timestamp, nonce, signature) = (
        header("x-xin-timestamp"),
        header("x-xin-nonce"),
        header("x-xin-signature"),
    );
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(shop.secret.as_bytes()) else {
        return StatusCode::INTERNAL_SERVER_ERROR;
    };
    mac.update(format!("{timestamp}\n{nonce}\n").as_bytes());
    mac.update(&body);
    let valid = hex::decode(signature).is_ok_and(|s| mac.verify_slice(&s).is_ok());
    if !valid {
        return StatusCode::UNAUTHORIZED;
    }
    let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if event["kind"] == "order_paid" {
        if let Some(id) = event["order"]["id"]
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
        {
            mark_paid(&shop, id);
            println!("xin-coffee: order {id} paid");
        }
    }
    StatusCode::OK
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(xin), Some(account), Some(secret)) = (
        arg(&args, "--xin"),
        arg(&args, "--account"),
        arg(&args, "--secret"),
    ) else {
        eprintln!(
            "usage: xin-coffee --xin URL --account ID --secret SECRET [--listen 127.0.0.1:7431]"
        );
        return std::process::ExitCode::from(2);
    };
    let listen: SocketAddr = match arg(&args, "--listen")
        .unwrap_or_else(|| "127.0.0.1:7431".into())
        .parse()
    {
        Ok(a) => a,
        Err(e) => {
            eprintln!("xin-coffee: --listen: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let shop = Arc::new(Shop {
        xin: xin.trim_end_matches('/').to_string(),
        account,
        secret,
        http: reqwest::Client::new(),
        token: tokio::sync::Mutex::new(None),
        sessions: Mutex::default(),
        orders: Mutex::default(),
        next_number: Mutex::new(0),
    });
    let app = Router::new()
        .route("/api/login", post(login))
        .route("/api/me", get(me))
        .route("/api/menu", get(menu))
        .route("/api/orders", post(create_order))
        .route("/api/orders/{id}", get(order))
        .route("/webhook", post(webhook))
        .with_state(shop);
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("xin-coffee: cannot listen on {listen}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("xin-coffee: Summit Coffee's backend on http://{listen}");
    match axum::serve(listener, app).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xin-coffee: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
