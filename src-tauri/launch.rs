//! Which server and data directory this run uses: `--server URL`, else `XIN_SERVER`, else the
//! server used last time, else none: the login window asks. Received files go to the XDG
//! download folder (`XIN_DOWNLOAD_DIR` overrides it).

use std::{path::PathBuf, sync::Arc};

use xin_core::{
    engine::this_device,
    server_choice::{last_server, remember_server},
    vault::KeyringVault,
    CoreError, Engine, EngineConfig,
};

pub struct Launch {
    pub server: Option<String>,
    pub data_dir: PathBuf,
    pub downloads: PathBuf,
}

impl Launch {
    pub fn from_env() -> Self {
        let mut args = std::env::args().skip(1);
        let mut server = None;
        while let Some(arg) = args.next() {
            if arg == "--server" {
                server = args.next();
            } else if let Some(url) = arg.strip_prefix("--server=") {
                server = Some(url.to_string());
            }
        }
        let server = server.or_else(|| std::env::var("XIN_SERVER").ok());
        let data_dir = std::env::var_os("XIN_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                dirs::data_dir()
                    .unwrap_or_else(|| PathBuf::from("."))
                    .join("xin")
            });
        let downloads = std::env::var_os("XIN_DOWNLOAD_DIR")
            .map(PathBuf::from)
            .or_else(dirs::download_dir)
            .or_else(|| dirs::home_dir().map(|h| h.join("Downloads")))
            .unwrap_or_else(|| data_dir.join("Downloads"));
        Self {
            server,
            data_dir,
            downloads,
        }
    }

    /// Picks the server, remembers it for next time, and builds the engine.
    pub fn engine(&self) -> Result<Engine, CoreError> {
        let named = self
            .server
            .as_deref()
            .map(|s| s.trim().trim_end_matches('/').to_string())
            .filter(|s| s.starts_with("http://") || s.starts_with("https://"));
        if let Some(server) = &named {
            remember_server(&self.data_dir, server)?;
        }
        let server = named.or_else(|| last_server(&self.data_dir));
        std::fs::create_dir_all(&self.data_dir).map_err(|e| CoreError::Cache(e.to_string()))?;
        Engine::new(EngineConfig {
            data_dir: self.data_dir.clone(),
            server,
            device: this_device(),
            vault: Arc::new(KeyringVault),
            downloads: self.downloads.clone(),
        })
    }
}
