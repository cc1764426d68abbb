//! Which server this computer talks to. A first run has none (no `--server`, no `XIN_SERVER`,
//! nothing remembered), so the login window asks for one; while signed out the user can change
//! it there too. The choice is kept in the data folder's `last-server` file: the next launch
//! goes straight to it.

use std::path::Path;

use crate::{
    api::ApiClient,
    engine::Engine,
    error::{CoreError, CoreResult},
    events::{AppView, LoginView},
};

const LAST_SERVER_FILE: &str = "last-server";

/// The longest address anyone types; longer is a paste gone wrong.
const MAX_ADDRESS: usize = 200;

/// The base URLs to try for what the user typed, best first. "xin.example.org" names no scheme:
/// https first, then plain http (a server on the home network, or one without a certificate).
pub fn candidates(input: &str) -> CoreResult<Vec<String>> {
    let typed = input.trim();
    let bad = || {
        CoreError::invalid(
            "Enter the server's address, like xin.example.org or http://192.168.1.5:7420.",
        )
    };
    if typed.is_empty() || typed.len() > MAX_ADDRESS || typed.contains(char::is_whitespace) {
        return Err(bad());
    }
    let (schemes, rest) = match typed.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => (vec!["https"], rest),
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => (vec!["http"], rest),
        Some(_) => {
            return Err(CoreError::invalid(
                "Xin servers are reached over http:// or https://.",
            ))
        }
        None => (vec!["https", "http"], typed),
    };
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() {
        return Err(bad());
    }
    let with_scheme: Vec<String> = schemes.iter().map(|s| format!("{s}://{rest}")).collect();
    // Only a plain host (and port, and perhaps a path): no user:password@, no query.
    for url in &with_scheme {
        let parsed = reqwest::Url::parse(url).map_err(|_| bad())?;
        let plain = parsed.host_str().is_some_and(|h| !h.is_empty())
            && parsed.username().is_empty()
            && parsed.password().is_none()
            && parsed.query().is_none()
            && parsed.fragment().is_none();
        if !plain {
            return Err(bad());
        }
    }
    Ok(with_scheme)
}

/// The server this data folder used last, if it names one.
pub fn last_server(data_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(data_dir.join(LAST_SERVER_FILE)).ok()?;
    let url = text.trim();
    (url.starts_with("http://") || url.starts_with("https://")).then(|| url.to_string())
}

/// Keeps `url` for the next launch.
pub fn remember_server(data_dir: &Path, url: &str) -> CoreResult<()> {
    std::fs::create_dir_all(data_dir)
        .and_then(|()| std::fs::write(data_dir.join(LAST_SERVER_FILE), url))
        .map_err(|e| CoreError::Cache(e.to_string()))
}

impl Engine {
    /// The login window's "Change server": the address prompt, with the current one filled in.
    /// Only while signed out: a signed-in account belongs to its server.
    pub async fn ask_for_server(&self) -> CoreResult<()> {
        self.signed_out_only().await?;
        self.stop_login().await;
        let current = self.server();
        self.set_login(
            LoginView::ChooseServer {
                current: (!current.is_empty()).then_some(current),
            },
            None,
        );
        Ok(())
    }

    /// Tries what the user typed; the first address that answers as a Xin server becomes this
    /// computer's server: remembered for next time, and its login shown. Returns its URL.
    /// Nothing changes when none answers.
    pub async fn choose_server(&self, input: &str) -> CoreResult<String> {
        self.signed_out_only().await?;
        let mut last_error = None;
        for url in candidates(input)? {
            let api = ApiClient::new(&url, self.speaking())?;
            match api.health().await {
                Ok(health) if health.status == "ok" => {
                    remember_server(self.data_dir(), api.base())?;
                    let chosen = api.base().to_string();
                    self.stop_login().await;
                    self.set_api(api);
                    tracing::info!(server = %chosen, "server chosen");
                    self.start().await?;
                    return Ok(chosen);
                }
                Ok(_) => last_error = Some(not_xin(&url)),
                Err(CoreError::Unreachable(why)) => {
                    tracing::info!(%url, "no server there: {why}");
                    last_error = Some(CoreError::Unreachable(url));
                }
                Err(_) => last_error = Some(not_xin(&url)),
            }
        }
        Err(last_error.unwrap_or_else(|| not_xin(input)))
    }

    /// Back from the prompt to the current server's login (the prompt's "Cancel").
    pub async fn keep_server(&self) -> CoreResult<()> {
        self.signed_out_only().await?;
        if self.server().is_empty() {
            return Err(CoreError::invalid("Enter your Xin server's address first."));
        }
        self.start().await
    }

    async fn signed_out_only(&self) -> CoreResult<()> {
        if matches!(self.view(), AppView::SignedIn { .. }) || self.account().await.is_some() {
            return Err(CoreError::invalid(
                "Log out first: an account belongs to the server it signed in to.",
            ));
        }
        Ok(())
    }
}

fn not_xin(url: &str) -> CoreError {
    CoreError::Protocol(format!("{url} does not answer as a Xin server"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_without_a_scheme_tries_https_then_http() {
        assert_eq!(
            candidates(" xin.example.org/ ").ok(),
            Some(vec![
                "https://xin.example.org".to_string(),
                "http://xin.example.org".to_string()
            ])
        );
        assert_eq!(
            candidates("HTTP://192.168.1.5:7420").ok(),
            Some(vec!["http://192.168.1.5:7420".to_string()])
        );
    }

    #[test]
    fn what_is_not_a_server_address_is_refused_before_any_request() {
        for typed in [
            "",
            "   ",
            "ftp://xin.example.org",
            "xin example org",
            "https://",
            "https://me:secret@xin.example.org",
            "https://xin.example.org/?next=evil",
            &"a".repeat(201),
        ] {
            let refused = candidates(typed);
            assert!(
                matches!(refused, Err(CoreError::Api { .. })),
                "{typed:?} was accepted: {refused:?}"
            );
        }
    }

    #[test]
    fn the_last_server_is_remembered_in_the_data_folder() -> CoreResult<()> {
        let dir = tempfile::tempdir().map_err(|e| CoreError::File(e.to_string()))?;
        assert_eq!(last_server(dir.path()), None);
        remember_server(dir.path(), "https://xin.example.org")?;
        assert_eq!(
            last_server(dir.path()).as_deref(),
            Some("https://xin.example.org")
        );
        // Something else in the file (an old format, a hand edit) is no server.
        std::fs::write(dir.path().join(LAST_SERVER_FILE), "xin.example.org")
            .map_err(|e| CoreError::File(e.to_string()))?;
        assert_eq!(last_server(dir.path()), None);
        Ok(())
    }
}
