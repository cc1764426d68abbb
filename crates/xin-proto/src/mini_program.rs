//! Mini-programs: small web apps published by official accounts as signed packages, run by Xin
//! in a sandbox, with login and payment through Xin.
//!
//! A package is a zip with `app.json` ([`MiniProgramManifest`]) at its root and the app's
//! HTML, JS, CSS and pictures. The rules for a manifest live here because the server (when a
//! publisher uploads) and the desktop (before it runs a package) apply the same ones.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

/// The files outside the manifest's subpackages, uncompressed, at most (4 MiB).
pub const MAX_MAIN_PACKAGE: u64 = 4 << 20;
/// All files of a package, uncompressed, and the zip itself, at most (32 MiB).
pub const MAX_PACKAGE: u64 = 32 << 20;
/// The icon, at most: it travels in every listing.
pub const MAX_ICON: u64 = 64 << 10;
/// Files in a package, at most.
pub const MAX_PACKAGE_FILES: usize = 1_000;
/// How long a login code lives.
pub const LOGIN_CODE_SECS: i64 = 300;
/// What a mini-program may keep in `xin.storage`, at most (10 MiB).
pub const MAX_STORAGE: u64 = 10 << 20;
/// The longest order description.
pub const MAX_ORDER_DESCRIPTION: usize = 64;
/// `window.xin` for mini-program pages, on the desktop and on the phone.
pub const BRIDGE_JS: &str = include_str!("mini_program_bridge.js");
/// The manifest's name inside a package.
pub const MANIFEST_FILE: &str = "app.json";

/// What a mini-program may ask of Xin beyond login, storage and theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MiniProgramPermission {
    /// `xin.getProfile()`: the user's name and avatar, each time after the user agrees.
    Profile,
    /// `xin.requestPayment(order)`: pay an order its backend created.
    Payment,
}

/// `app.json` at the root of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct MiniProgramManifest {
    /// The publisher's name for it: 3–32 of `a-z`, `0-9`, `-`; unique on the server.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it does, in a sentence.
    #[serde(default)]
    pub description: String,
    /// A PNG inside the package (at most 64 KiB).
    pub icon: String,
    /// `major.minor.patch`; each upload is a new version.
    pub version: String,
    /// HTML pages inside the package; the first is where it opens.
    pub pages: Vec<String>,
    /// What it may ask the user for.
    #[serde(default)]
    pub permissions: Vec<MiniProgramPermission>,
    /// Hosts `xin.request()` may reach, over HTTPS only (`api.example.com`).
    #[serde(default)]
    pub domains: Vec<String>,
    /// Folders loaded only when used; everything else is the main package (at most 4 MiB).
    #[serde(default)]
    pub subpackages: Vec<String>,
}

fn slug(s: &str) -> bool {
    (3..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| (1..=6).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A host name (no scheme, port or path), as `xin.request()` compares them.
fn host(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.contains('.')
        && s.split('.').all(|l| {
            (1..=63).contains(&l.len())
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// A relative path inside a package: no `..`, no absolute paths, no backslashes.
pub fn safe_path(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 200
        && !p.starts_with('/')
        && !p.contains('\\')
        && !p.contains('\0')
        && p.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
}

impl MiniProgramManifest {
    /// Checks the manifest against the package's files (path, uncompressed size). The error
    /// names what is wrong, for the publisher.
    pub fn check(&self, files: &[(String, u64)]) -> Result<(), String> {
        if !slug(&self.id) {
            return Err("id: 3–32 lower-case letters, digits and dashes".into());
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 20 || name != self.name {
            return Err("name: 1–20 characters, no spaces around it".into());
        }
        if self.description.chars().count() > 120 {
            return Err("description: at most 120 characters".into());
        }
        if !version(&self.version) {
            return Err("version: major.minor.patch, e.g. 1.0.0".into());
        }
        if files.len() > MAX_PACKAGE_FILES {
            return Err(format!("at most {MAX_PACKAGE_FILES} files"));
        }
        if let Some((bad, _)) = files.iter().find(|(p, _)| !safe_path(p)) {
            return Err(format!("{bad}: not a plain relative path"));
        }
        let size_of = |p: &str| files.iter().find(|(f, _)| f == p).map(|(_, s)| *s);
        match size_of(&self.icon) {
            None => return Err(format!("icon: {} is not in the package", self.icon)),
            Some(s) if s > MAX_ICON => return Err("icon: at most 64 KiB".into()),
            Some(_) if !self.icon.ends_with(".png") => return Err("icon: a PNG".into()),
            Some(_) => {}
        }
        if self.pages.is_empty() || self.pages.len() > 50 {
            return Err("pages: 1–50 HTML pages".into());
        }
        for page in &self.pages {
            if !page.ends_with(".html") || size_of(page).is_none() {
                return Err(format!("pages: {page} is not an HTML file in the package"));
            }
        }
        if self.domains.len() > 20 {
            return Err("domains: at most 20".into());
        }
        if let Some(bad) = self.domains.iter().find(|d| !host(d)) {
            return Err(format!(
                "domains: {bad} is not a host name (no scheme, port or path)"
            ));
        }
        if self.subpackages.len() > 10 {
            return Err("subpackages: at most 10".into());
        }
        let mut roots = Vec::new();
        for root in &self.subpackages {
            let root = root.trim_end_matches('/');
            if !safe_path(root) {
                return Err(format!(
                    "subpackages: {root} is not a folder in the package"
                ));
            }
            roots.push(format!("{root}/"));
        }
        if self
            .pages
            .first()
            .is_some_and(|home| roots.iter().any(|r| home.starts_with(r.as_str())))
        {
            return Err("pages: the first page must be in the main package".into());
        }
        let total: u64 = files.iter().map(|(_, s)| s).sum();
        if total > MAX_PACKAGE {
            return Err("the package is larger than 32 MiB".into());
        }
        let main: u64 = files
            .iter()
            .filter(|(p, _)| !roots.iter().any(|r| p.starts_with(r.as_str())))
            .map(|(_, s)| s)
            .sum();
        if main > MAX_MAIN_PACKAGE {
            return Err("the main package (outside subpackages) is larger than 4 MiB".into());
        }
        Ok(())
    }
}

/// Whether `xin.request()` may reach `scheme://host`: HTTPS to a host the manifest lists. With
/// `developer` (a developer build, or a server on a closed network) also plain HTTP to a listed
/// loopback host, where a backend under development runs.
pub fn reachable(domains: &[String], developer: bool, scheme: &str, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let listed = domains.contains(&host);
    let loopback = matches!(host.as_str(), "127.0.0.1" | "localhost");
    listed && (scheme == "https" || (developer && loopback && scheme == "http"))
}

/// `xin.request()`: carried out by Xin (the desktop's Rust side, or the server for the phone),
/// never by the page itself.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct MiniProgramRequest {
    /// The address (one of the manifest's domains).
    pub url: String,
    /// GET, POST, PUT, PATCH or DELETE (GET when left out).
    #[serde(default)]
    pub method: Option<String>,
    /// Request headers.
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// The body, if any.
    #[serde(default)]
    pub body: Option<String>,
}

/// What its backend answered.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct MiniProgramResponse {
    /// The HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: std::collections::BTreeMap<String, String>,
    /// The body, as text.
    pub body: String,
}

/// The methods `xin.request()` may use.
pub fn request_method_allowed(method: &str) -> bool {
    matches!(method, "GET" | "POST" | "PUT" | "PATCH" | "DELETE")
}

/// Whether a header the page set is passed on: who the caller is (cookies) and where the
/// request goes (host) are Xin's to say, not the page's.
pub fn request_header_allowed(name: &str) -> bool {
    !matches!(name.to_ascii_lowercase().as_str(), "cookie" | "host")
}

/// The type a package's file is served as, by its extension.
pub fn package_media_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "woff2" => "font/woff2",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

/// The longest answer `xin.request()` hands back (2 MiB).
pub const MAX_REQUEST_ANSWER: usize = 2 << 20;

/// What the server signs (Ed25519) for a package: the desktop checks it before running it.
pub fn signed_message(mini_program: Uuid, version: &str, hash_hex: &str) -> String {
    format!("xin-mini-program/1\n{mini_program}\n{version}\n{hash_hex}")
}

/// The current published package of a mini-program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct MiniProgramRelease {
    /// Its version.
    pub version: String,
    /// The zip's size in bytes.
    #[ts(type = "number")]
    pub size: i64,
    /// BLAKE3 of the zip, hex.
    pub hash: String,
    /// Ed25519 over [`signed_message`], base64; the key is `GET /mini-programs/signing-key`.
    pub signature: String,
    /// When it was published (Unix ms).
    #[ts(type = "number")]
    pub published_at: i64,
}

/// A mini-program as people find it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct MiniProgram {
    /// The mini-program's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// The manifest's `id`.
    pub app_id: String,
    /// Its name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// A `data:image/png;base64,…` URL.
    pub icon: String,
    /// The official account that publishes it.
    #[ts(type = "string")]
    pub account_id: Uuid,
    /// Who publishes it (the official account).
    pub publisher: String,
    /// What it may ask for.
    pub permissions: Vec<MiniProgramPermission>,
    /// The only hosts it may call.
    pub domains: Vec<String>,
    /// The version users get.
    pub release: MiniProgramRelease,
    /// Whether I pinned it, and when I last opened it (mine only).
    pub pinned: bool,
    /// When I last opened it (Unix ms).
    #[ts(type = "number | null")]
    pub last_used: Option<i64>,
}

/// Mini-programs, as a list.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct MiniProgramList {
    /// The mini-programs.
    pub mini_programs: Vec<MiniProgram>,
}

/// `GET /api/v1/mini-programs/signing-key`: the key packages are signed with.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SigningKey {
    /// Ed25519 public key, base64.
    pub public_key: String,
}

/// `POST /api/v1/mini-programs/{id}/login-codes`: a code for the mini-program's backend.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct LoginCode {
    /// The one-time code.
    pub code: String,
    /// When it stops working (Unix ms).
    #[ts(type = "number")]
    pub expires_at: i64,
}

/// `POST /api/v1/official-api/mini-programs/{app_id}/sessions` (bearer: the publisher's access
/// token): the backend trades a login code, once, for the user's id in this mini-program.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct CodeExchange {
    /// The code from `xin.login()`.
    #[schema(min_length = 1, max_length = 64)]
    pub code: String,
}

/// What a mini-program's backend learns from a login code.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct MiniProgramSession {
    /// Stable for this user in this mini-program, different in every other; never the Xin id.
    pub openid: String,
}

/// `POST /api/v1/official-api/mini-programs/{app_id}/orders`: the backend creates an order for
/// a user, who then pays it in Xin. The same `out_trade_no` answers the same order.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct NewOrder {
    /// The paying user, as this mini-program knows them.
    #[schema(min_length = 1, max_length = 64)]
    pub openid: String,
    /// How much, in fen.
    #[ts(type = "number")]
    #[schema(minimum = 1, maximum = 5000000)]
    pub amount_fen: i64,
    /// What is being paid for.
    #[schema(min_length = 1, max_length = 64)]
    pub description: String,
    /// The backend's own order number (1–32 letters, digits, `-` or `_`).
    #[schema(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9_-]{1,32}$")]
    pub out_trade_no: String,
}

/// Where an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Waiting for the user to pay.
    Created,
    /// Paid.
    Paid,
}

/// An order a mini-program made for a user to pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct MiniProgramOrder {
    /// The order's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// The mini-program.
    #[ts(type = "string")]
    pub mini_program_id: Uuid,
    /// Its name.
    pub mini_program_name: String,
    /// The mini-program's own order number.
    pub out_trade_no: String,
    /// The paying user, as this mini-program knows them.
    pub openid: String,
    /// What is being paid for.
    pub description: String,
    /// How much, in fen.
    #[ts(type = "number")]
    pub amount_fen: i64,
    /// Who the money goes to: the publishing account.
    pub payee_name: String,
    /// Created or paid.
    pub state: OrderState,
    /// When it was made (Unix ms).
    #[ts(type = "number")]
    pub created_at: i64,
    /// When it was paid (Unix ms).
    #[ts(type = "number | null")]
    pub paid_at: Option<i64>,
}

/// `POST /api/v1/mini-program-orders/{id}/pay`: the user pays with the PIN.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct PayOrder {
    /// The payer's payment PIN.
    #[schema(pattern = "^[0-9]{6}$")]
    pub pin: String,
}

/// What the publisher's webhook receives when an order is paid (`kind` is `order_paid`; signed
/// and retried like every delivery, with the same id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct OrderPaidEvent {
    /// The event's id; a retried delivery carries the same one.
    #[ts(type = "string")]
    pub id: Uuid,
    /// `order.paid`.
    pub kind: String,
    /// The official account that owns the mini-program.
    #[ts(type = "string")]
    pub account_id: Uuid,
    /// The order.
    pub order: MiniProgramOrder,
    /// When it was paid (Unix ms).
    #[ts(type = "number")]
    pub at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> MiniProgramManifest {
        MiniProgramManifest {
            id: "summit-coffee".into(),
            name: "Summit Coffee".into(),
            description: String::new(),
            icon: "icon.png".into(),
            version: "1.0.0".into(),
            pages: vec!["index.html".into()],
            permissions: vec![MiniProgramPermission::Payment],
            domains: vec!["api.summit.example".into()],
            subpackages: vec!["games".into()],
        }
    }

    fn files(extra: &[(&str, u64)]) -> Vec<(String, u64)> {
        let mut f = vec![
            ("icon.png".to_string(), 1_000),
            ("index.html".into(), 2_000),
        ];
        f.extend(extra.iter().map(|(p, s)| (p.to_string(), *s)));
        f
    }

    #[test]
    fn a_good_manifest_passes() {
        assert_eq!(manifest().check(&files(&[])), Ok(()));
    }

    #[test]
    fn each_rule_names_what_is_wrong() {
        type Change = Box<dyn Fn(&mut MiniProgramManifest)>;
        type Files = &'static [(&'static str, u64)];
        let cases: Vec<(Change, Files, &str)> = vec![
            (Box::new(|m| m.id = "Summit".into()), &[], "id:"),
            (Box::new(|m| m.version = "1.0".into()), &[], "version:"),
            (Box::new(|m| m.icon = "missing.png".into()), &[], "icon:"),
            (Box::new(|m| m.pages = vec!["app.js".into()]), &[], "pages:"),
            (
                Box::new(|m| m.domains = vec!["https://x.example".into()]),
                &[],
                "domains:",
            ),
            (
                Box::new(|_| {}),
                &[("../etc/passwd", 1)],
                "not a plain relative path",
            ),
            (
                Box::new(|_| {}),
                &[("big.bin", MAX_MAIN_PACKAGE)],
                "main package",
            ),
            (Box::new(|_| {}), &[("games/a.bin", MAX_PACKAGE)], "32 MiB"),
        ];
        for (change, extra, want) in cases {
            let mut m = manifest();
            change(&mut m);
            let err = m.check(&files(extra)).err().unwrap_or_default();
            assert!(err.contains(want), "{want}: got {err:?}");
        }
        // A subpackage may hold what the main package may not.
        assert_eq!(
            manifest().check(&files(&[("games/big.bin", MAX_MAIN_PACKAGE)])),
            Ok(())
        );
    }
}
