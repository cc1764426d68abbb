//! A real `xin-server` on a real loopback port with a real store, and a tiny client. The store
//! is SQLite, or, when `cargo xtask test` runs the suites again with `XIN_TEST_POSTGRES` set,
//! a fresh PostgreSQL database of each test's own on that server.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod webhook;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use xin_server::{Config, Running};

pub struct TestServer {
    pub running: Option<Running>,
    pub url: String,
    pub http: reqwest::Client,
    pub config: Config,
    _database: Option<TestDatabase>,
    _dir: tempfile::TempDir,
}

/// The PostgreSQL server `cargo xtask test` started, when the suites run on PostgreSQL.
const POSTGRES: &str = "XIN_TEST_POSTGRES";
/// The NATS server it started beside it: every node of the PostgreSQL pass uses it.
const NATS: &str = "XIN_TEST_NATS";

/// The S3 bucket (`s3://BUCKET?endpoint=…`) the PostgreSQL pass keeps its files in: each test
/// under a prefix of its own, shared by its nodes.
const S3: &str = "XIN_TEST_S3";

/// Keeps a node's files in the tests' bucket, under `prefix`, when there is one.
fn in_the_bucket(config: &mut Config, prefix: &str) {
    if let Ok(base) = std::env::var(S3) {
        let mut url = url::Url::parse(&base).unwrap();
        url.set_path(prefix);
        config.blobs = Some(url.to_string());
    }
}

/// Joins a node to the other nodes through the tests' NATS, sweeping the log often.
fn on_the_broker(config: &mut Config) {
    config.broker = std::env::var(NATS).ok();
    config.log_sweep_ms = 300;
}

/// A database of one test's own, dropped with it.
pub struct TestDatabase {
    admin: String,
    pub name: String,
    pub url: String,
}

/// Runs blocking PostgreSQL client code off the async runtime (the sync client starts its own).
fn off_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().unwrap()
}

impl TestDatabase {
    /// The store a test's server would use: this run's engine.
    pub fn backend(db: Option<&Self>, data_dir: &std::path::Path) -> xin_server::store::Backend {
        match db {
            Some(db) => xin_server::store::Backend::Postgres(db.url.clone()),
            None => xin_server::store::Backend::Sqlite(data_dir.to_path_buf()),
        }
    }

    /// A fresh, empty database when the suites run on PostgreSQL; `None` on SQLite.
    pub fn fresh() -> Option<Self> {
        let admin = std::env::var(POSTGRES).ok()?;
        let name = format!("t_{}", uuid::Uuid::now_v7().simple());
        let url = {
            let mut u = url::Url::parse(&admin).unwrap();
            u.set_path(&name);
            u.to_string()
        };
        let (admin2, name2) = (admin.clone(), name.clone());
        off_runtime(move || {
            let mut c = postgres::Client::connect(&admin2, postgres::NoTls).unwrap();
            c.batch_execute(&format!("CREATE DATABASE {name2}"))
                .unwrap();
        });
        Some(Self { admin, name, url })
    }

    /// The options that point a `xin-server` process at this database.
    pub fn args(&self, public_url: &str) -> Vec<String> {
        vec![
            "--database-url".into(),
            self.url.clone(),
            "--public-url".into(),
            public_url.into(),
        ]
    }
}

/// Runs one statement on the store in `data_dir` or `db` (PostgreSQL when given), behind the
/// server's back; answers the rows it changed.
pub fn execute(db: Option<&TestDatabase>, data_dir: &std::path::Path, sql: &str) -> u64 {
    match db {
        Some(db) => {
            let (url, sql) = (db.url.clone(), sql.to_owned());
            off_runtime(move || {
                let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                c.execute(sql.as_str(), &[]).unwrap()
            })
        }
        None => rusqlite::Connection::open(data_dir.join("xin.db"))
            .unwrap()
            .execute(sql, [])
            .unwrap() as u64,
    }
}

/// One number from the store in `data_dir` or `db` (PostgreSQL when given), read behind the
/// server's back.
pub fn query_i64(db: Option<&TestDatabase>, data_dir: &std::path::Path, sql: &str) -> i64 {
    match db {
        Some(db) => {
            let (url, sql) = (db.url.clone(), sql.to_owned());
            off_runtime(move || {
                let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                c.query_one(sql.as_str(), &[]).unwrap().get(0)
            })
        }
        None => rusqlite::Connection::open(data_dir.join("xin.db"))
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap(),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        off_runtime(move || {
            if let Ok(mut c) = postgres::Client::connect(&admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        });
    }
}

impl TestServer {
    pub async fn start() -> Self {
        Self::with(|_| {}).await
    }

    pub async fn with(tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_tests(dir.path());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let database = TestDatabase::fresh();
        if let Some(db) = &database {
            config.database_url = Some(db.url.clone());
            config.public_url = Some(format!("http://{}", listener.local_addr().unwrap()));
            on_the_broker(&mut config);
            in_the_bucket(&mut config, &db.name);
        }
        tweak(&mut config);
        let running = xin_server::start(config.clone(), listener).await.unwrap();
        Self {
            url: running.url(),
            running: Some(running),
            http: reqwest::Client::new(),
            config,
            _database: database,
            _dir: dir,
        }
    }

    /// A server (embedded store) on a data directory filled beforehand: a restored backup.
    pub async fn on_data_dir(dir: tempfile::TempDir) -> Self {
        let config = Config::for_tests(dir.path());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = xin_server::start(config.clone(), listener).await.unwrap();
        Self {
            url: running.url(),
            running: Some(running),
            http: reqwest::Client::new(),
            config,
            _database: None,
            _dir: dir,
        }
    }

    /// Another node on this server's PostgreSQL database: its own process state, data
    /// directory and port, the same truth.
    pub async fn another_node(&self) -> TestServer {
        self.another_node_with(|_| {}).await
    }

    /// Another node, configured by `tweak` after the rest.
    pub async fn another_node_with(&self, tweak: impl FnOnce(&mut Config)) -> TestServer {
        let url = self
            .config
            .database_url
            .clone()
            .expect("another node needs a shared (PostgreSQL) database");
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_tests(dir.path());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        config.database_url = Some(url);
        config.public_url = Some(format!("http://{}", listener.local_addr().unwrap()));
        config.blobs = self.config.blobs.clone();
        on_the_broker(&mut config);
        tweak(&mut config);
        let running = xin_server::start(config.clone(), listener).await.unwrap();
        Self {
            url: running.url(),
            running: Some(running),
            http: reqwest::Client::new(),
            config,
            _database: None,
            _dir: dir,
        }
    }

    /// The PostgreSQL database this node runs on, when it does.
    pub fn database_url(&self) -> Option<String> {
        self.config.database_url.clone()
    }

    /// The store this node runs on (for calling what no route exposes: the background jobs).
    pub fn store(&self) -> xin_server::store::Store {
        self.running.as_ref().unwrap().state.store.clone()
    }

    /// A client of a server running elsewhere (its own process) on `url`, keeping its data in `dir`.
    pub fn attach(url: String, dir: tempfile::TempDir) -> Self {
        Self {
            url,
            running: None,
            http: reqwest::Client::new(),
            config: Config::for_tests(dir.path()),
            _database: None,
            _dir: dir,
        }
    }

    /// Stops and starts again on the same port and data, as after a crash of the process (what
    /// is in memory is gone; what is on disk stays).
    pub async fn restart(&mut self) {
        let addr = self.running.as_ref().unwrap().addr;
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
        let listener = loop {
            match tokio::net::TcpListener::bind(addr).await {
                Ok(l) => break l,
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        };
        self.running = Some(
            xin_server::start(self.config.clone(), listener)
                .await
                .unwrap(),
        );
    }

    /// The server's data directory.
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// Runs `xin-server ledger check` over this server's store, as an operator would, and
    /// asserts every invariant holds.
    pub fn ledger_is_sound(&self) {
        let (ok, text) = self.ledger_check();
        assert!(ok && text.contains("every invariant holds"), "{text}");
    }

    /// Runs one statement on the store behind the server's back (a test playing a careless
    /// operator); answers the rows it changed.
    pub fn execute(&self, sql: &str) -> u64 {
        execute(self._database.as_ref(), self.data_dir(), sql)
    }

    /// One number read from the store behind the server's back.
    pub fn query_i64(&self, sql: &str) -> i64 {
        query_i64(self._database.as_ref(), self.data_dir(), sql)
    }

    /// `xin-server ledger check` over this server's store: (exit success, what it printed).
    pub fn ledger_check(&self) -> (bool, String) {
        let mut args: Vec<String> = self
            ._database
            .iter()
            .flat_map(|db| db.args(&self.url))
            .collect();
        args.extend(["ledger".into(), "check".into()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_cli(self.data_dir(), &args)
    }

    /// The store's database file, for tests that look at what is on disk (SQLite only).
    pub fn db_path(&self) -> std::path::PathBuf {
        assert!(self._database.is_none(), "this test reads SQLite's file");
        self._dir.path().join("xin.db")
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
        assert!(
            resp.headers()
                .get(xin_server::contract::UNDOCUMENTED)
                .is_none(),
            "{path} answered {status}, which its OpenAPI operation does not document"
        );
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

#[derive(Clone)]
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

/// The realtime socket's handshake with `token` in its header, as the desktop opens it
/// (`query`: "" or "?v=2").
pub fn realtime(
    server_url: &str,
    token: &str,
    query: &str,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let ws = server_url.replacen("http", "ws", 1);
    let mut request = format!("{ws}/api/v1/realtime{query}")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}

/// The server binary run as an operator runs it, over `data_dir`: (exit success, what it
/// printed).
pub fn run_cli(data_dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xin-server"))
        .args(["--data-dir", data_dir.to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
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

/// One person with a signed-in device, for tests that read like the feature.
pub struct Party<'a> {
    pub s: &'a TestServer,
    pub user: User,
    pub handle: String,
}

impl<'a> Party<'a> {
    pub async fn join(s: &'a TestServer, handle: &str, phone: &str) -> Party<'a> {
        let user = s.register(handle, phone).await;
        Party {
            s,
            user,
            handle: handle.to_string(),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.s
            .call(method, path, Some(&self.user.access), body)
            .await
    }

    /// The same person, signed in on the same device, talking to another node.
    pub fn on<'b>(&self, node: &'b TestServer) -> Party<'b> {
        Party {
            s: node,
            user: self.user.clone(),
            handle: self.handle.clone(),
        }
    }

    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.call(method.clone(), path, body).await;
        assert!(status.is_success(), "{method} {path}: {status} {v}");
        v
    }

    /// Friend request and acceptance, both ways done.
    pub async fn befriend(&self, other: &Party<'_>) {
        let req = self
            .ok(
                Method::POST,
                "/friend-requests",
                Some(json!({"to": other.user.id, "greeting": "hi"})),
            )
            .await;
        let id = req["id"].as_str().unwrap();
        other
            .ok(
                Method::POST,
                &format!("/friend-requests/{id}/answer"),
                Some(json!({"accept": true})),
            )
            .await;
    }

    pub async fn direct(&self, other: &Party<'_>) -> String {
        let c = self
            .ok(
                Method::POST,
                "/conversations/direct",
                Some(json!({"with": other.user.id})),
            )
            .await;
        c["id"].as_str().unwrap().to_string()
    }

    pub async fn send(&self, conv: &str, text: &str) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            &format!("/conversations/{conv}/messages"),
            Some(json!({"client_id": uuid_v7(), "content": {"type": "text", "text": text}})),
        )
        .await
    }

    pub async fn say(&self, conv: &str, text: &str) -> Value {
        let (status, m) = self.send(conv, text).await;
        assert_eq!(status, StatusCode::OK, "{m}");
        m
    }

    /// Texts of the conversation's history as this person sees it, oldest first.
    pub async fn texts(&self, conv: &str) -> Vec<String> {
        let page = self
            .ok(
                Method::GET,
                &format!("/conversations/{conv}/messages?limit=500"),
                None,
            )
            .await;
        let mut texts: Vec<String> = page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                if m["recalled"] == true {
                    "<recalled>".to_string()
                } else {
                    m["content"]["text"].as_str().unwrap_or("").to_string()
                }
            })
            .collect();
        texts.reverse();
        texts
    }

    /// A sandbox card, the payment PIN [`PIN`] and `fen` topped up (none when 0); answers the
    /// card's id.
    pub async fn fund(&self, fen: i64) -> String {
        let card = self
            .ok(
                Method::POST,
                "/wallet/cards",
                Some(json!({"number": "4242424242424242"})),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        self.ok(Method::PUT, "/wallet/pin", Some(json!({"pin": PIN})))
            .await;
        if fen > 0 {
            self.ok(
                Method::POST,
                "/wallet/top-up",
                Some(json!({"idempotency_key": uuid_v7(), "card_id": card, "amount_fen": fen})),
            )
            .await;
        }
        card
    }

    /// This person's wallet balance, in fen.
    pub async fn balance(&self) -> i64 {
        self.ok(Method::GET, "/wallet", None).await["balance_fen"]
            .as_i64()
            .unwrap()
    }

    /// Every event in this person's log.
    pub async fn events(&self) -> Vec<Value> {
        self.ok(Method::GET, "/events?after=0", None).await["events"]
            .as_array()
            .unwrap()
            .clone()
    }

    pub async fn conversation(&self, conv: &str) -> Value {
        let list = self.ok(Method::GET, "/conversations", None).await;
        list["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == conv)
            .cloned()
            .unwrap_or(Value::Null)
    }
}

/// The payment PIN [`Party::fund`] sets.
pub const PIN: &str = "135790";

pub fn uuid_v7() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The pieces of `file` from `from` on, each followed by its checksum: the body of a
/// `xin-verified-pieces` PATCH.
pub fn pieces_from(file: &[u8], from: u64) -> Vec<u8> {
    use xin_proto::{pieces::piece_checksum, PIECE};
    let size = file.len() as u64;
    let mut body = Vec::new();
    let mut at = from;
    while at < size {
        let end = (at + PIECE).min(size);
        let piece = &file[at as usize..end as usize];
        body.extend_from_slice(piece);
        body.extend_from_slice(&piece_checksum(piece, at, size));
        at = end;
    }
    body
}

/// One small picture, uploaded by `p` (tus, one chunk); answers its hash.
pub async fn upload(p: &Party<'_>, bytes: &[u8]) -> String {
    let b64 = |b: &[u8]| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(b)
    };
    let hash = blake3::hash(bytes).to_hex().to_string();
    let r =
        p.s.http
            .post(format!("{}/api/v1/uploads", p.s.url))
            .bearer_auth(&p.user.access)
            .header("tus-resumable", "1.0.0")
            .header("upload-length", bytes.len().to_string())
            .header(
                "upload-metadata",
                format!(
                    "filename {},blake3 {}",
                    b64(b"crag.png"),
                    b64(hash.as_bytes())
                ),
            )
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let r =
        p.s.http
            .patch(format!("{}{location}", p.s.url))
            .bearer_auth(&p.user.access)
            .header("tus-resumable", "1.0.0")
            .header("content-type", "application/offset+octet-stream")
            .header("upload-offset", "0")
            .header(
                "upload-checksum",
                format!("blake3 {}", b64(blake3::hash(bytes).as_bytes())),
            )
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    hash
}

pub fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(8, 8, |x, y| image::Rgb([x as u8 * 30, y as u8 * 30, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}
