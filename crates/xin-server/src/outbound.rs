//! Everything the server fetches on someone else's word (official accounts' webhooks, the
//! mini-program request proxy) goes through here: the address must be public by
//! [`xin_proto::public_address`], the connection goes to exactly the addresses that were
//! checked, no redirect is followed, and an answer is read only up to its limit.

use std::{net::SocketAddr, time::Duration};

use futures_util::StreamExt;
use xin_proto::public_address::is_public;

/// Where a delivery may connect: the host and the public addresses it was checked to resolve to.
/// None when the server allows private hosts (the system resolver is used as is).
pub type Pinned = Option<(String, Vec<SocketAddr>)>;

/// Whether a webhook address may be posted to: http(s), and unless the server allows it, not
/// an address on its own machine or network. Answers the addresses it checked, so the delivery
/// connects to exactly those: resolving again at connect time would let a DNS answer that
/// changed in between (rebinding) reach the server's own network.
pub async fn allowed(url: &str, private_hosts: bool) -> Result<Pinned, String> {
    let parsed = url::Url::parse(url).map_err(|_| "not a web address".to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("only http and https".into());
    }
    let host = parsed.host_str().ok_or("no host")?.to_string();
    if private_hosts {
        return Ok(None);
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let bare = host.trim_matches(['[', ']']).to_string();
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare.as_str(), port))
        .await
        .map_err(|e| format!("{host}: {e}"))?
        .collect();
    pin(bare, addrs).map(Some)
}

/// What a name resolved to, if every address of it is public: a name with even one private
/// address among its answers is refused, since the connection could go to any of them.
fn pin(host: String, addrs: Vec<SocketAddr>) -> Result<(String, Vec<SocketAddr>), String> {
    if addrs.is_empty() {
        return Err(format!("{host}: no address"));
    }
    if !addrs.iter().all(|a| is_public(a.ip())) {
        return Err(format!("{host} is a private or local address"));
    }
    Ok((host, addrs))
}

pub(crate) fn client(timeout: Duration, pinned: &Pinned) -> reqwest::Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Xin");
    if let Some((host, addrs)) = pinned {
        b = b.resolve_to_addrs(host, addrs);
    }
    b.build()
}

/// Reads an answer's body, stopping as soon as it passes `limit` bytes (`None` then): a large
/// or endless answer costs at most `limit` bytes of memory and never more than that off the wire.
pub async fn read_bounded(
    response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<Option<Vec<u8>>> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Ok(None);
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[tokio::test]
    async fn only_public_http_addresses_pass_and_are_pinned() -> TestResult {
        // Every range is tabled in `xin_proto::public_address`; these are the ones the old
        // check let through, written as an operator would paste them.
        for refused in [
            "http://127.0.0.1:9/hook",
            "http://[::1]/hook",
            "http://10.1.2.3/hook",
            "http://169.254.169.254/latest",
            "ftp://8.8.8.8/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://[::ffff:a00:5]/hook",
            "http://[64:ff9b::a9fe:a9fe]/latest",
            "http://100.100.100.200/latest/meta-data",
            "http://198.18.0.1/hook",
            "http://0.0.0.0/hook",
            "http://240.0.0.1/hook",
            "http://224.0.0.251/hook",
            "http://[ff02::1]/hook",
            "http://localhost/hook",
        ] {
            assert!(allowed(refused, false).await.is_err(), "{refused}");
        }
        let pinned = allowed("http://8.8.8.8/hook", false).await?;
        assert_eq!(
            pinned,
            Some(("8.8.8.8".to_string(), vec!["8.8.8.8:80".parse()?]))
        );
        // A server that allows private hosts resolves as usual.
        assert_eq!(allowed("http://127.0.0.1:9/hook", true).await?, None);
        Ok(())
    }

    /// A name is judged by what it resolves to: one whose AAAA record is an IPv4-mapped private
    /// address, or that has one private address among public ones, is refused.
    #[test]
    fn a_name_resolving_to_any_private_address_is_refused() -> TestResult {
        let host = || "hooks.example.com".to_string();
        for answers in [
            vec!["[::ffff:10.0.0.5]:443"],
            vec!["[::ffff:127.0.0.1]:443"],
            vec!["[64:ff9b::a9fe:a9fe]:80"],
            vec!["8.8.8.8:443", "192.168.1.10:443"],
        ] {
            let addrs = answers
                .iter()
                .map(|a| a.parse())
                .collect::<Result<Vec<SocketAddr>, _>>()?;
            assert!(pin(host(), addrs).is_err(), "{answers:?}");
        }
        let public: Vec<SocketAddr> = vec![
            "8.8.8.8:443".parse()?,
            "[2606:4700:4700::1111]:443".parse()?,
        ];
        assert_eq!(pin(host(), public.clone())?, (host(), public));
        assert!(pin(host(), Vec::new()).is_err());
        Ok(())
    }

    /// The delivery connects to the checked address whatever the name would resolve to now:
    /// here the name resolves nowhere, yet the pinned address answers.
    #[tokio::test]
    async fn a_pinned_client_connects_to_the_checked_address_only() -> TestResult {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await?;
            let mut buf = vec![0u8; 4096];
            let n = socket.read(&mut buf).await?;
            socket
                .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
                .await?;
            Ok::<_, std::io::Error>(String::from_utf8_lossy(&buf[..n]).to_string())
        });
        let pinned = Some(("hooks.example.invalid".to_string(), vec![addr]));
        let c = client(Duration::from_secs(5), &pinned)?;
        let r = c
            .post(format!("http://hooks.example.invalid:{}/hook", addr.port()))
            .body("{}")
            .send()
            .await?;
        assert_eq!(r.status(), reqwest::StatusCode::NO_CONTENT);
        let request = server.await??;
        assert!(request.contains("host: hooks.example.invalid"), "{request}");
        Ok(())
    }
}
