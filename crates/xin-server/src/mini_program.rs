//! What the server does with a mini-program package: read and check it (manifest, sizes,
//! paths), sign it, and derive each user's per-app id.

use std::{
    io::{Cursor, Read},
    time::Duration,
};

use base64::{engine::general_purpose::STANDARD, Engine as _};
use ed25519_dalek::{Signer, SigningKey};
use uuid::Uuid;
use xin_proto::{
    reachable, request_header_allowed, request_method_allowed, signed_message, ErrorCode,
    MiniProgramManifest, MiniProgramRequest, MiniProgramResponse, MANIFEST_FILE, MAX_ICON,
    MAX_PACKAGE, MAX_REQUEST_ANSWER,
};

use crate::{
    error::{ApiError, ApiResult},
    outbound,
    store::CheckedPackage,
};

fn invalid(why: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidPackage,
        format!("This is not a valid mini-program package: {why}."),
    )
}

/// Reads one file of the zip, refusing to inflate more than `limit` bytes (a zip bomb states
/// small sizes and inflates to gigabytes).
fn read_file(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limit: u64,
) -> ApiResult<Vec<u8>> {
    let file = zip
        .by_name(name)
        .map_err(|_| invalid(format!("{name} is missing")))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| invalid(format!("{name}: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(invalid(format!("{name} is too large")));
    }
    Ok(bytes)
}

/// Checks an uploaded zip: at most 32 MiB, plain relative paths, a valid `app.json` whose
/// pages and icon are in it, and the main package within 4 MiB.
pub fn check_package(bytes: &[u8]) -> ApiResult<CheckedPackage> {
    if bytes.len() as u64 > MAX_PACKAGE {
        return Err(invalid("the zip is larger than 32 MiB"));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| invalid(format!("not a zip ({e})")))?;
    let mut files = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(invalid)?;
        if f.is_dir() {
            continue;
        }
        files.push((f.name().to_string(), f.size()));
    }
    let manifest: MiniProgramManifest =
        serde_json::from_slice(&read_file(&mut zip, MANIFEST_FILE, 64 << 10)?)
            .map_err(|e| invalid(format!("app.json: {e}")))?;
    manifest.check(&files).map_err(invalid)?;
    // Every file must inflate to no more than its header states: those sizes are what the
    // manifest's limits were checked against, and what serving it relies on.
    for (name, stated) in &files {
        let file = zip.by_name(name).map_err(invalid)?;
        let inflated = std::io::copy(&mut file.take(stated + 1), &mut std::io::sink())
            .map_err(|e| invalid(format!("{name}: {e}")))?;
        if inflated > *stated {
            return Err(invalid(format!("{name} inflates past the size it states")));
        }
    }
    // The stated sizes were checked; a file that inflates past them is refused when read.
    let icon = read_file(&mut zip, &manifest.icon, MAX_ICON)?;
    if !icon.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(invalid("icon: not a PNG"));
    }
    Ok(CheckedPackage {
        manifest,
        icon,
        hash: blake3::hash(bytes).to_hex().to_string(),
    })
}

/// The server's package-signing key, from its 32 secret bytes.
#[derive(Clone)]
pub struct Signer32(SigningKey);

impl Signer32 {
    pub fn from_secret(secret: &[u8]) -> ApiResult<Self> {
        let bytes: [u8; 32] = secret
            .try_into()
            .map_err(|_| ApiError::Internal("mini-program signing key is not 32 bytes".into()))?;
        Ok(Self(SigningKey::from_bytes(&bytes)))
    }

    pub fn public_key(&self) -> String {
        STANDARD.encode(self.0.verifying_key().as_bytes())
    }

    pub fn sign(&self, mini_program: Uuid, version: &str, hash: &str) -> String {
        let message = signed_message(mini_program, version, hash);
        STANDARD.encode(self.0.sign(message.as_bytes()).to_bytes())
    }

    /// The user's id in one mini-program: stable, different in every mini-program, and not
    /// reversible to the Xin id without this server's secret.
    pub fn openid(&self, mini_program: Uuid, user: Uuid) -> String {
        let key = blake3::derive_key("xin mini-program openid v1", self.0.as_bytes());
        let mut input = Vec::with_capacity(32);
        input.extend_from_slice(mini_program.as_bytes());
        input.extend_from_slice(user.as_bytes());
        let hash = blake3::keyed_hash(&key, &input);
        format!("o{}", &hash.to_hex()[..31])
    }
}

/// `xin.request()` for a mini-program on the phone, carried out by the server with the
/// desktop's rules: HTTPS to a host the manifest lists (plain HTTP to a listed loopback host
/// only on a server that allows private hosts), and never an address on the server's own
/// network unless allowed (the address checked is the one connected to). No redirects, 15 s,
/// answers up to 2 MiB.
pub async fn carry_out(
    domains: &[String],
    private_hosts: bool,
    req: MiniProgramRequest,
) -> ApiResult<MiniProgramResponse> {
    let refused = |why: String| ApiError::new(ErrorCode::NotAllowed, why);
    let url =
        url::Url::parse(&req.url).map_err(|_| refused(format!("{} is not a URL", req.url)))?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let credentials = !url.username().is_empty() || url.password().is_some();
    if credentials || !reachable(domains, private_hosts, url.scheme(), &host) {
        return Err(refused(format!(
            "{host} is not among this mini-program's domains (HTTPS only)"
        )));
    }
    let pinned = outbound::allowed(url.as_str(), private_hosts)
        .await
        .map_err(refused)?;
    let client = outbound::client(Duration::from_secs(15), &pinned)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let method = req.method.as_deref().unwrap_or("GET");
    let method = reqwest::Method::from_bytes(method.as_bytes())
        .ok()
        .filter(|_| request_method_allowed(method))
        .ok_or_else(|| ApiError::invalid("method: GET, POST, PUT, PATCH or DELETE"))?;
    let mut builder = client.request(method, url);
    for (name, value) in &req.headers {
        if request_header_allowed(name) {
            builder = builder.header(name.as_str(), value.as_str());
        }
    }
    if let Some(body) = req.body {
        builder = builder.body(body);
    }
    let unreachable = |e: reqwest::Error| {
        ApiError::new(
            ErrorCode::NotAllowed,
            format!(
                "The mini-program's server did not answer: {}",
                e.without_url()
            ),
        )
    };
    let resp = builder.send().await.map_err(unreachable)?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let bytes = outbound::read_bounded(resp, MAX_REQUEST_ANSWER)
        .await
        .map_err(unreachable)?
        .ok_or_else(|| ApiError::invalid("the answer is larger than 2 MiB"))?;
    Ok(MiniProgramResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}
