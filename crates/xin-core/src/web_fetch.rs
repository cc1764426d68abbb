//! Fetching web addresses on the desktop for someone else's content (a shared page's card and
//! picture, a mini-program's `xin.request()`): bodies are read only up to a limit, and what a
//! page points at must be public by [`xin_proto::public_address`], so a page on the internet
//! cannot make the user's computer read, and upload, something from its own machine or
//! network.

use std::{net::SocketAddr, time::Duration};

use futures_util::StreamExt;
use reqwest::Url;
use xin_proto::public_address::is_public;

use crate::error::{CoreError, CoreResult};

/// How many redirects a fetch follows, each checked like the first address.
const MAX_REDIRECTS: usize = 5;

fn unreachable(e: impl std::fmt::Display) -> CoreError {
    CoreError::Unreachable(e.to_string())
}

/// Reads a response's body up to `max` bytes; `complete` is false when there was more. Reading
/// stops at `max`, so an endless answer costs `max` bytes and no more.
pub async fn read_at_most(response: reqwest::Response, max: usize) -> CoreResult<Body> {
    let mut bytes = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| unreachable(e.without_url()))?;
        let room = max - bytes.len();
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            return Ok(Body {
                bytes,
                complete: false,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Body {
        bytes,
        complete: true,
    })
}

pub struct Body {
    pub bytes: Vec<u8>,
    pub complete: bool,
}

/// A client for `url` that connects only to the addresses checked here: public ones, or any
/// address of `trusted_host` (the host the user typed themselves).
async fn pinned_client(
    url: &Url,
    trusted_host: &str,
    timeout: Duration,
) -> CoreResult<reqwest::Client> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CoreError::invalid(
            "only http and https addresses are fetched",
        ));
    }
    let host = url
        .host_str()
        .ok_or_else(|| CoreError::invalid("no host"))?;
    let bare = host.trim_matches(['[', ']']).to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare.as_str(), port))
        .await
        .map_err(unreachable)?
        .collect();
    let trusted = host.eq_ignore_ascii_case(trusted_host);
    if addrs.is_empty() || !(trusted || addrs.iter().all(|a| is_public(a.ip()))) {
        return Err(CoreError::invalid(format!(
            "{host} is not a public address"
        )));
    }
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Xin link preview")
        .resolve_to_addrs(&bare, &addrs)
        .build()
        .map_err(unreachable)
}

/// GETs `url`, following up to five redirects, every hop to a public address unless it is on
/// `trusted_host`. Answers the final response and its address.
pub async fn get(
    url: Url,
    trusted_host: &str,
    timeout: Duration,
) -> CoreResult<(reqwest::Response, Url)> {
    let mut url = url;
    for _ in 0..=MAX_REDIRECTS {
        let client = pinned_client(&url, trusted_host, timeout).await?;
        let response = client
            .get(url.clone())
            .send()
            .await
            .map_err(|e| unreachable(e.without_url()))?;
        if !response.status().is_redirection() {
            return Ok((response, url));
        }
        let next = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| url.join(l).ok())
            .ok_or_else(|| unreachable("a redirect without a valid Location"))?;
        url = next;
    }
    Err(unreachable("too many redirects"))
}
