//! The sample mini-program in the demo: Summit Coffee's package (from `mini-programs/`) is
//! published by Carol's café account, its backend (`xin-coffee`) gets the account's webhook and
//! secret, and Alice has it pinned.

use std::{io::Write, path::Path};

use serde_json::{json, Value};

use crate::{Api, Person, Result};

/// Where the sample's files are in the repository.
const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../mini-programs/summit-coffee"
);

/// The sample's zip, its `config.js` pointing at `backend`.
fn package(dir: &Path, backend: &str) -> Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let bytes = if name == "config.js" {
            format!("window.COFFEE_API = {};\n", json!(backend)).into_bytes()
        } else {
            std::fs::read(dir.join(&name)).map_err(|e| format!("{name}: {e}"))?
        };
        zip.start_file(name.as_str(), options)
            .and_then(|_| zip.write_all(&bytes).map_err(Into::into))
            .map_err(|e| format!("zip {name}: {e}"))?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

/// What `xin-coffee` needs to act for the café: written to `out` as `name=value` lines.
async fn backend_config(
    api: &Api,
    carol: &Person,
    desk: &str,
    backend: &str,
    out: &Path,
) -> Result<()> {
    let dev = api
        .call(
            carol,
            reqwest::Method::PUT,
            &format!("/official-accounts/{desk}/developer"),
            json!({"webhook_url": format!("{backend}/webhook")}),
        )
        .await?;
    let secret = dev["secret"].as_str().ok_or("no developer secret")?;
    std::fs::write(out, format!("account={desk}\nsecret={secret}\n"))
        .map_err(|e| format!("{}: {e}", out.display()))
}

/// Publishes the sample for the café account `desk`, pins it for Alice, and writes the
/// backend's configuration. Answers the mini-program's id.
pub async fn seed(
    api: &Api,
    carol: &Person,
    alice: &Person,
    desk: &str,
    backend: &str,
    out: Option<&Path>,
) -> Result<String> {
    let zip = package(Path::new(SAMPLE), backend)?;
    let resp = api
        .http
        .post(api.url(&format!("/official-accounts/{desk}/mini-programs")))
        .bearer_auth(&carol.access)
        .header("content-type", "application/zip")
        .body(zip)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = resp.status();
    let program: Value = resp.json().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!(
            "publish the sample mini-program: {status} {program}"
        ));
    }
    let id = program["id"].as_str().ok_or("no mini-program id")?;
    api.call(
        alice,
        reqwest::Method::PUT,
        &format!("/mini-programs/{id}/pin"),
        json!({}),
    )
    .await?;
    if let Some(out) = out {
        backend_config(api, carol, desk, backend, out).await?;
    }
    Ok(id.to_string())
}

/// For a world seeded before: the café's backend configuration again (its secret is the same).
pub async fn reconfigure(api: &Api, backend: &str, out: &Path) -> Result<()> {
    let carol = api.sign_in("carol").await?;
    // The accounts Carol follows or owns; the café is hers.
    let accounts = api
        .call(
            &carol,
            reqwest::Method::GET,
            "/official-accounts",
            Value::Null,
        )
        .await?;
    let desk = accounts["accounts"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|a| a["mine"] == true && a["handle"] == "summit_cafe")
        })
        .and_then(|a| a["id"].as_str())
        .ok_or("the café account is missing")?
        .to_string();
    backend_config(api, &carol, &desk, backend, out).await
}
