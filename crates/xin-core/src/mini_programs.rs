//! Mini-programs on the desktop: finding them, fetching and verifying their signed packages
//! (cached per version), and what the sandbox's bridge does for them on the Rust side: login
//! codes, orders, `xin.request()` limited to the manifest's domains, and per-app storage.

use std::{
    collections::BTreeMap,
    io::Read,
    path::{Path, PathBuf},
    time::Duration,
};

use base64::{engine::general_purpose::STANDARD, Engine as _};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use reqwest::Method;
use uuid::Uuid;
use xin_proto::{
    reachable, request_header_allowed, request_method_allowed, signed_message, LoginCode,
    MiniProgram, MiniProgramList, MiniProgramManifest, MiniProgramOrder, MiniProgramRequest,
    MiniProgramResponse, PayOrder, SigningKey, API_PREFIX, MANIFEST_FILE, MAX_REQUEST_ANSWER,
    MAX_STORAGE,
};

use crate::{
    engine::Engine,
    error::{CoreError, CoreResult},
};

/// A mini-program ready to run: its package verified and on disk.
#[derive(Debug, Clone)]
pub struct OpenedMiniProgram {
    pub program: MiniProgram,
    pub manifest: MiniProgramManifest,
    pub package: PathBuf,
}

fn refused(message: impl Into<String>) -> CoreError {
    CoreError::Api {
        code: xin_proto::ErrorCode::NotAllowed,
        message: message.into(),
    }
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> CoreError {
    CoreError::File(format!("{}: {e}", path.display()))
}

/// Whether `url` is one the manifest lets `xin.request()` reach (see [`reachable`]).
pub fn request_allowed(domains: &[String], developer: bool, url: &str) -> CoreResult<reqwest::Url> {
    let url = reqwest::Url::parse(url).map_err(|_| refused(format!("{url} is not a URL")))?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let credentials = !url.username().is_empty() || url.password().is_some();
    if credentials || !reachable(domains, developer, url.scheme(), &host) {
        return Err(refused(format!(
            "{host} is not among this mini-program's domains (HTTPS only)"
        )));
    }
    Ok(url)
}

/// Reads one file of a package, if it has it (and it is a plain relative path).
pub fn package_file(package: &Path, name: &str) -> CoreResult<Option<Vec<u8>>> {
    if !xin_proto::safe_path(name) {
        return Ok(None);
    }
    let file = std::fs::File::open(package).map_err(|e| file_error(package, e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| file_error(package, e))?;
    let Ok(entry) = zip.by_name(name) else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    entry
        .take(xin_proto::MAX_PACKAGE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| file_error(package, e))?;
    Ok(Some(bytes))
}

/// Checks a downloaded package: its hash, the server's signature over (id, version, hash), and
/// the manifest's rules. Answers the manifest.
fn verify(
    key: &VerifyingKey,
    program: &MiniProgram,
    bytes: &[u8],
) -> CoreResult<MiniProgramManifest> {
    let bad = |why: &str| {
        CoreError::Protocol(format!(
            "the package of {} failed its check ({why}); it was not run",
            program.name
        ))
    };
    let hash = blake3::hash(bytes).to_hex().to_string();
    if hash != program.release.hash {
        return Err(bad("hash"));
    }
    let signature = STANDARD
        .decode(&program.release.signature)
        .ok()
        .and_then(|s| Signature::from_slice(&s).ok())
        .ok_or_else(|| bad("signature"))?;
    let message = signed_message(program.id, &program.release.version, &hash);
    key.verify(message.as_bytes(), &signature)
        .map_err(|_| bad("signature"))?;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| bad("zip"))?;
    let mut files = Vec::new();
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|_| bad("zip"))?;
        if !f.is_dir() {
            files.push((f.name().to_string(), f.size()));
        }
    }
    let mut manifest = Vec::new();
    zip.by_name(MANIFEST_FILE)
        .map_err(|_| bad("app.json"))?
        .take(64 << 10)
        .read_to_end(&mut manifest)
        .map_err(|_| bad("app.json"))?;
    let manifest: MiniProgramManifest =
        serde_json::from_slice(&manifest).map_err(|_| bad("app.json"))?;
    manifest.check(&files).map_err(|_| bad("app.json"))?;
    if manifest.version != program.release.version {
        return Err(bad("version"));
    }
    Ok(manifest)
}

/// [`verify`] off the async threads (a package is up to 32 MiB to hash).
async fn verified(
    key: VerifyingKey,
    program: MiniProgram,
    bytes: Vec<u8>,
) -> CoreResult<MiniProgramManifest> {
    tokio::task::spawn_blocking(move || verify(&key, &program, &bytes))
        .await
        .map_err(|e| CoreError::Protocol(e.to_string()))?
}

/// Key/value storage of one mini-program for one user: a JSON file, at most 10 MiB.
pub struct MiniProgramStorage {
    path: PathBuf,
}

impl MiniProgramStorage {
    fn read(&self) -> CoreResult<BTreeMap<String, String>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| file_error(&self.path, e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(file_error(&self.path, e)),
        }
    }

    fn write(&self, map: &BTreeMap<String, String>) -> CoreResult<()> {
        let used: usize = map.iter().map(|(k, v)| k.len() + v.len()).sum();
        if used as u64 > MAX_STORAGE {
            return Err(CoreError::Api {
                code: xin_proto::ErrorCode::QuotaExceeded,
                message: "A mini-program keeps at most 10 MiB.".into(),
            });
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
        }
        let tmp = self.path.with_extension("tmp");
        let bytes = serde_json::to_vec(map).map_err(|e| file_error(&tmp, e))?;
        std::fs::write(&tmp, bytes).map_err(|e| file_error(&tmp, e))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| file_error(&self.path, e))
    }

    pub fn get(&self, key: &str) -> CoreResult<Option<String>> {
        Ok(self.read()?.remove(key))
    }

    pub fn set(&self, key: String, value: String) -> CoreResult<()> {
        let mut map = self.read()?;
        map.insert(key, value);
        self.write(&map)
    }

    pub fn remove(&self, key: &str) -> CoreResult<()> {
        let mut map = self.read()?;
        if map.remove(key).is_some() {
            self.write(&map)?;
        }
        Ok(())
    }

    pub fn keys(&self) -> CoreResult<Vec<String>> {
        Ok(self.read()?.into_keys().collect())
    }
}

impl Engine {
    /// Mine (pinned, then recent), or with `q` a search of all of them.
    pub async fn mini_programs(&self, q: Option<String>) -> CoreResult<Vec<MiniProgram>> {
        let path = match q.filter(|q| !q.trim().is_empty()) {
            Some(q) => {
                let url = reqwest::Url::parse_with_params("x:", [("q", q)])
                    .map_err(|e| CoreError::invalid(e.to_string()))?;
                format!("/mini-programs?{}", url.query().unwrap_or_default())
            }
            None => "/mini-programs".into(),
        };
        let list: MiniProgramList = self.authed_json::<(), _>(Method::GET, path, None).await?;
        Ok(list.mini_programs)
    }

    pub async fn mini_program(&self, id: Uuid) -> CoreResult<MiniProgram> {
        self.authed_json::<(), _>(Method::GET, format!("/mini-programs/{id}"), None)
            .await
    }

    pub async fn pin_mini_program(&self, id: Uuid, pinned: bool) -> CoreResult<MiniProgram> {
        let method = if pinned { Method::PUT } else { Method::DELETE };
        self.authed_json::<(), _>(method, format!("/mini-programs/{id}/pin"), None)
            .await
    }

    /// The server's package key, pinned the first time it is seen: a server that later
    /// presents another key cannot get packages run.
    async fn package_key(&self) -> CoreResult<VerifyingKey> {
        let key: SigningKey = self
            .authed_json::<(), _>(Method::GET, "/mini-programs/signing-key".into(), None)
            .await?;
        let pinned = self.mini_program_dir().join("signing-key");
        let known = std::fs::read_to_string(&pinned).ok();
        match known {
            Some(k) if k.trim() != key.public_key => {
                return Err(CoreError::Protocol(
                    "the server's mini-program signing key changed; packages are not run".into(),
                ))
            }
            Some(_) => {}
            None => {
                std::fs::create_dir_all(self.mini_program_dir())
                    .and_then(|_| std::fs::write(&pinned, &key.public_key))
                    .map_err(|e| file_error(&pinned, e))?;
            }
        }
        let bytes: [u8; 32] = STANDARD
            .decode(key.public_key.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| CoreError::Protocol("signing key".into()))?;
        VerifyingKey::from_bytes(&bytes).map_err(|e| CoreError::Protocol(e.to_string()))
    }

    fn mini_program_dir(&self) -> PathBuf {
        self.data_dir().join("mini-programs")
    }

    /// Opens it: noted as recently used, its current package fetched unless cached, and
    /// verified either way before it runs.
    pub async fn open_mini_program(&self, id: Uuid) -> CoreResult<OpenedMiniProgram> {
        let program: MiniProgram = self
            .authed_json::<(), _>(Method::POST, format!("/mini-programs/{id}/open"), None)
            .await?;
        let key = self.package_key().await?;
        let path = self
            .mini_program_dir()
            .join(id.to_string())
            .join(format!("{}.zip", program.release.version));
        // A cached package is checked again before each run; one that fails (changed on disk)
        // is fetched anew.
        let cached = match tokio::fs::read(&path).await {
            Ok(bytes) => verified(key, program.clone(), bytes).await.ok(),
            Err(_) => None,
        };
        let manifest = match cached {
            Some(manifest) => manifest,
            None => {
                let account = self.require_account().await?;
                let api = account.api.clone();
                let url = format!(
                    "{}{API_PREFIX}/mini-programs/{id}/package?version={}",
                    api.base(),
                    program.release.version
                );
                let bytes = account
                    .with_access(|access| {
                        let (api, url) = (api.clone(), url.clone());
                        async move { api.get_bytes(&access, &url).await }
                    })
                    .await?;
                let manifest = verified(key, program.clone(), bytes.clone()).await?;
                if let Some(dir) = path.parent() {
                    tokio::fs::create_dir_all(dir)
                        .await
                        .map_err(|e| file_error(dir, e))?;
                }
                tokio::fs::write(&path, &bytes)
                    .await
                    .map_err(|e| file_error(&path, e))?;
                manifest
            }
        };
        Ok(OpenedMiniProgram {
            program,
            manifest,
            package: path,
        })
    }

    /// The mini-program's code: scanned with the phone companion, it opens there.
    pub async fn mini_program_code(&self, id: Uuid) -> CoreResult<crate::views::PhoneCode> {
        let health = self.require_account().await?.api.health().await?;
        let url = format!("{}/m/mp/{id}", health.public_url.trim_end_matches('/'));
        Ok(crate::views::PhoneCode {
            svg: crate::qr::svg(&url)?,
            url,
        })
    }

    pub async fn mini_program_login(&self, id: Uuid) -> CoreResult<LoginCode> {
        self.authed_json::<(), _>(
            Method::POST,
            format!("/mini-programs/{id}/login-codes"),
            None,
        )
        .await
    }

    pub async fn mini_program_order(&self, order: Uuid) -> CoreResult<MiniProgramOrder> {
        self.authed_json::<(), _>(Method::GET, format!("/mini-program-orders/{order}"), None)
            .await
    }

    pub async fn pay_mini_program_order(
        &self,
        order: Uuid,
        pin: String,
    ) -> CoreResult<MiniProgramOrder> {
        self.authed_json(
            Method::POST,
            format!("/mini-program-orders/{order}/pay"),
            Some(PayOrder { pin }),
        )
        .await
    }

    /// The signed-in user's storage in one mini-program (its own file: no other can read it).
    pub async fn mini_program_storage(&self, id: Uuid) -> CoreResult<MiniProgramStorage> {
        let user = self.require_account().await?.user.id;
        Ok(MiniProgramStorage {
            path: self
                .mini_program_dir()
                .join("data")
                .join(user.to_string())
                .join(format!("{id}.json")),
        })
    }

    /// "Clear data": the mini-program's storage for this user is gone.
    pub async fn clear_mini_program_data(&self, id: Uuid) -> CoreResult<()> {
        let storage = self.mini_program_storage(id).await?;
        match std::fs::remove_file(&storage.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(file_error(&storage.path, e)),
        }
    }
}

/// Carries out `xin.request()` for a mini-program whose manifest lists `domains`: no cookies,
/// no redirects (a redirect could leave the domains), 15 s, answers up to 2 MiB.
pub async fn mini_program_request(
    domains: &[String],
    developer: bool,
    req: MiniProgramRequest,
) -> CoreResult<MiniProgramResponse> {
    let url = request_allowed(domains, developer, &req.url)?;
    let method = req.method.as_deref().unwrap_or("GET");
    let method = Method::from_bytes(method.as_bytes())
        .ok()
        .filter(|_| request_method_allowed(method))
        .ok_or_else(|| CoreError::invalid("method: GET, POST, PUT, PATCH or DELETE"))?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| CoreError::Unreachable(e.to_string()))?;
    let mut builder = http.request(method, url);
    for (name, value) in &req.headers {
        if request_header_allowed(name) {
            builder = builder.header(name, value);
        }
    }
    if let Some(body) = req.body {
        builder = builder.body(body);
    }
    let resp = builder
        .send()
        .await
        .map_err(|e| CoreError::Unreachable(e.without_url().to_string()))?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let answer = crate::web_fetch::read_at_most(resp, MAX_REQUEST_ANSWER).await?;
    if !answer.complete {
        return Err(CoreError::invalid("the answer is larger than 2 MiB"));
    }
    let bytes = answer.bytes;
    Ok(MiniProgramResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_reach_only_listed_hosts_over_https() {
        let domains = vec!["api.summit.example".to_string(), "127.0.0.1".to_string()];
        assert!(request_allowed(&domains, false, "https://api.summit.example/menu").is_ok());
        for bad in [
            "http://api.summit.example/menu",
            "https://evil.example/",
            "https://api.summit.example.evil.example/",
            "https://user@api.summit.example/",
            "file:///etc/passwd",
            "http://127.0.0.1:7431/menu",
            "not a url",
        ] {
            assert!(request_allowed(&domains, false, bad).is_err(), "{bad}");
        }
        // A developer build may talk to a listed backend on this machine over HTTP.
        assert!(request_allowed(&domains, true, "http://127.0.0.1:7431/menu").is_ok());
        assert!(request_allowed(&domains, true, "http://localhost:7431/").is_err());
    }
}
