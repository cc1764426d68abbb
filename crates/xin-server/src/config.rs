use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::Parser;

/// How the server runs. Every flag has an environment variable too.
#[derive(Debug, Clone, Parser)]
#[command(name = "xin-server", version, about = "The Xin server")]
pub struct Config {
    /// Address to listen on. Use 0.0.0.0:7420 so phones on the same network can reach it.
    #[arg(long, env = "XIN_LISTEN", default_value = "127.0.0.1:7420")]
    pub listen: SocketAddr,

    /// Where the embedded SQLite store lives. Default: the XDG data directory (xin-server).
    #[arg(long, env = "XIN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// A PostgreSQL database to keep everything in instead of the embedded SQLite store
    /// (`postgres://user:password@host:5432/xin`): what lets several server nodes share one
    /// truth. Files, staged uploads and mini-program packages stay in the data directory.
    /// Requires `--public-url`.
    #[arg(long, env = "XIN_DATABASE_URL")]
    pub database_url: Option<String>,

    /// NATS (`nats://host:4222`) between the nodes of one service: each node's committed
    /// events, notices, sign-outs and login tickets reach the sockets held by the others.
    /// Needed as soon as more than one node shares a database.
    #[arg(long, env = "XIN_BROKER")]
    pub broker: Option<String>,

    /// S3-compatible storage for files instead of the data directory:
    /// `s3://BUCKET[/PREFIX]?endpoint=URL&region=REGION[&public=URL]`, with the credentials in
    /// the usual AWS variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`). Downloads are
    /// redirected to the bucket with presigned URLs; `public` is the bucket's address for
    /// clients when the nodes reach it by another. What several nodes need to share files.
    #[arg(long, env = "XIN_BLOBS")]
    pub blobs: Option<String>,

    /// With a broker: every this many milliseconds a node reads the log heads of the users
    /// whose sockets it holds and pushes what they were not given (an event whose publish was
    /// lost when its node died). The bound on how late such an event can be.
    #[arg(long, env = "XIN_LOG_SWEEP_MS", default_value_t = 5_000)]
    pub log_sweep_ms: u64,

    /// Seconds over which a stopping node (SIGTERM) closes its realtime sockets, a slice at a
    /// time, so their clients reconnect to the other nodes without all arriving at once.
    /// `/ready` fails from the first moment, so the load balancer sends nothing new here.
    /// Default: 10 with a broker (there are other nodes), 0 without (there is nowhere else).
    #[arg(long, env = "XIN_DRAIN_SECS")]
    pub drain_secs: Option<u64>,

    /// The base URL phones use to reach this server; it goes into login QR codes.
    /// Default: the LAN address when listening on all interfaces, else the listen address.
    #[arg(long, env = "XIN_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Proxies (load balancers) in front of this server, as addresses or CIDR ranges separated
    /// by commas (`10.0.0.0/8,127.0.0.1`). Only a request from one of them has its client's
    /// address taken from `X-Forwarded-For`; from anyone else that header is ignored, so no
    /// client can pick the address its rate limits count against. Default: none.
    #[arg(long, env = "XIN_TRUSTED_PROXIES", value_delimiter = ',', value_parser = crate::client_address::parse_proxy)]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// The phone companion's built files (served at /m/).
    #[arg(long, env = "XIN_COMPANION_DIR", default_value = "ui/dist/mobile")]
    pub companion_dir: PathBuf,

    /// The official accounts' console's built files (served at /console/); by default next to
    /// the companion's (`ui/dist/console`).
    #[arg(long, env = "XIN_CONSOLE_DIR")]
    pub console_dir: Option<PathBuf>,

    /// Seconds a fresh login QR stays valid.
    #[arg(long, env = "XIN_TICKET_PENDING_SECS", default_value_t = 60)]
    pub ticket_pending_secs: u64,

    /// Seconds a scanned login QR waits for the phone's confirmation.
    #[arg(long, env = "XIN_TICKET_SCANNED_SECS", default_value_t = 120)]
    pub ticket_scanned_secs: u64,

    /// Seconds an access token lives.
    #[arg(long, env = "XIN_ACCESS_TTL_SECS", default_value_t = 900)]
    pub access_ttl_secs: u64,

    /// Days a signed-in device may keep refreshing its session; after that it must sign in
    /// again (a QR scan on the desktop, the password on the phone), however active it was.
    #[arg(long, env = "XIN_SESSION_MAX_DAYS", default_value_t = 90)]
    pub session_max_days: u64,

    /// Login tickets one IP address may create per minute.
    #[arg(long, env = "XIN_TICKETS_PER_MINUTE", default_value_t = 30)]
    pub tickets_per_minute: u32,

    /// Confirmation, scan and password attempts one account or IP may make per minute.
    #[arg(long, env = "XIN_ATTEMPTS_PER_MINUTE", default_value_t = 30)]
    pub attempts_per_minute: u32,

    /// Searches for people (by handle or phone number) one account, and one IP address, may
    /// make an hour.
    #[arg(long, env = "XIN_LOOKUPS_PER_HOUR", default_value_t = 120)]
    pub lookups_per_hour: u32,

    /// Accounts one IP address may create an hour.
    #[arg(long, env = "XIN_SIGNUPS_PER_HOUR", default_value_t = 20)]
    pub signups_per_hour: u32,

    /// Messages and menu taps one account may send official accounts a minute.
    #[arg(long, env = "XIN_OFFICIAL_MESSAGES_PER_MINUTE", default_value_t = 30)]
    pub official_messages_per_minute: u32,

    /// Events one realtime socket may have waiting to be written. A client that falls this
    /// far behind is disconnected (it catches up from its log), so it never slows anyone else.
    #[arg(long, env = "XIN_SOCKET_QUEUE", default_value_t = 1024)]
    pub socket_queue: usize,

    /// Largest file one upload may carry, in bytes (default 4 GiB).
    #[arg(long, env = "XIN_MAX_FILE_BYTES", default_value_t = 4 << 30)]
    pub max_file_bytes: u64,

    /// Storage each account may use, in bytes (default 20 GiB).
    #[arg(long, env = "XIN_QUOTA_BYTES", default_value_t = 20 << 30)]
    pub quota_bytes: u64,

    /// Bytes of an upload received between two durable records of its offset. After a crash an
    /// upload resumes from the last record: a smaller value costs more syncs, a larger one more
    /// bytes sent again.
    #[arg(long, env = "XIN_UPLOAD_CHECKPOINT_BYTES", default_value_t = 64 << 20)]
    pub upload_checkpoint_bytes: u64,

    /// Seconds an upload's request may send nothing before the server takes it as gone (a link
    /// that died without a word never ends it otherwise).
    #[arg(long, env = "XIN_UPLOAD_SILENCE_SECS", default_value_t = 60)]
    pub upload_silence_secs: u64,

    /// Upload requests one account may have sending bytes at once; more are refused at once
    /// (`rate_limited`) and the client resumes them later.
    #[arg(long, env = "XIN_UPLOADS_PER_USER", default_value_t = 6)]
    pub uploads_per_user: usize,

    /// Upload requests the server receives at once in all; more are refused (`server_busy`).
    /// Each holds two or three blocking threads while it lasts, of tokio's 512.
    #[arg(long, env = "XIN_UPLOADS_IN_ALL", default_value_t = 96)]
    pub uploads_in_all: usize,

    /// Seconds an unfinished upload or a file no message points at is kept.
    #[arg(long, env = "XIN_GC_GRACE_SECS", default_value_t = 24 * 3600)]
    pub gc_grace_secs: u64,

    /// Official accounts' webhooks may post to loopback and private addresses (tests and
    /// closed networks; off by default, so a webhook cannot reach the server's own network).
    #[arg(long, env = "XIN_WEBHOOK_PRIVATE_HOSTS")]
    pub webhook_private_hosts: bool,

    /// Mark answers whose status their operation's OpenAPI description leaves out (the tests'
    /// servers; see `contract`).
    #[arg(skip)]
    pub check_contract: bool,

    /// Milliseconds before the first webhook retry; each later one waits twice as long.
    #[arg(long, env = "XIN_WEBHOOK_RETRY_MS", default_value_t = 1000)]
    pub webhook_retry_ms: u64,

    /// Milliseconds a webhook delivery may take (5 s, as the API documents).
    #[arg(long, env = "XIN_WEBHOOK_TIMEOUT_MS", default_value_t = 5000)]
    pub webhook_timeout_ms: u64,

    /// Seconds between garbage collections.
    #[arg(long, env = "XIN_GC_INTERVAL_SECS", default_value_t = 3600)]
    pub gc_interval_secs: u64,

    /// Seconds before a transfer nobody accepted, or what is left of a red envelope, goes back to
    /// its sender (WeChat: a day).
    #[arg(long, env = "XIN_TRANSFER_TTL_SECS", default_value_t = 24 * 3600)]
    pub transfer_ttl_secs: u64,

    /// Seconds a call rings before it ends as not answered.
    #[arg(long, env = "XIN_CALL_RING_SECS", default_value_t = 45)]
    pub call_ring_secs: u64,

    /// TURN servers for calls across the internet (coturn: `turn:HOST:3478`, comma-separated),
    /// handed to both devices of a call with short-lived TURN REST credentials signed with
    /// `--turn-secret` (coturn's `static-auth-secret`). Without them, calls use the devices' own
    /// addresses, which works on one LAN.
    #[arg(long, env = "XIN_TURN_URLS", value_delimiter = ',')]
    pub turn_urls: Vec<String>,

    /// The secret shared with the TURN server (`use-auth-secret`, `static-auth-secret`).
    #[arg(long, env = "XIN_TURN_SECRET", hide_env_values = true)]
    pub turn_secret: Option<String>,

    /// A certificate chain (PEM) to serve HTTPS with, so phones on the LAN get the secure page
    /// their microphone and camera need (calls). With `--tls-key`; without both, plain HTTP
    /// (put a TLS proxy in front instead).
    #[arg(long, env = "XIN_TLS_CERT")]
    pub tls_cert: Option<std::path::PathBuf>,

    /// The certificate's private key (PEM).
    #[arg(long, env = "XIN_TLS_KEY")]
    pub tls_key: Option<std::path::PathBuf>,

    /// Serve the Prometheus metrics on this address only (e.g. 127.0.0.1:9464) instead of at
    /// `/metrics` beside the API, to keep them off the public side.
    #[arg(long, env = "XIN_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// How log lines are written: `text` for people, `json` (one object a line) for a log
    /// collector.
    #[arg(long, env = "XIN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Seconds a one-time payment code can be charged after it is shown.
    #[arg(long, env = "XIN_PAYMENT_CODE_TTL_SECS", default_value_t = 60)]
    pub payment_code_ttl_secs: u64,

    /// The largest payment-code charge, in fen, that goes through without the payer's PIN
    /// (¥500); a larger one waits for the payer to confirm it on their phone.
    #[arg(long, env = "XIN_PAYMENT_CODE_NO_PIN_FEN", default_value_t = 50_000)]
    pub payment_code_no_pin_fen: i64,

    /// What payment-code charges may take without the payer's PIN in 24 hours, in fen (¥2,000).
    #[arg(
        long,
        env = "XIN_PAYMENT_CODE_NO_PIN_DAILY_FEN",
        default_value_t = 200_000
    )]
    pub payment_code_no_pin_daily_fen: i64,

    /// Seconds a charge above the no-PIN limits waits for the payer's PIN before it lapses.
    #[arg(long, env = "XIN_PAYMENT_CODE_CONFIRM_SECS", default_value_t = 120)]
    pub payment_code_confirm_secs: u64,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// What to do instead of serving.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// The wallet ledger.
    Ledger {
        #[command(subcommand)]
        action: LedgerAction,
    },
    /// Backs up the embedded store of `--data-dir` into DIR (new or empty) while the server
    /// runs: a consistent snapshot of the database and every file it names, each checked
    /// against its hash. PostgreSQL deployments use PostgreSQL's own backups.
    Backup {
        /// Where the backup goes.
        dir: PathBuf,
    },
    /// Restores a backup made by `backup` into `--data-dir`, which must hold no store yet;
    /// checks the snapshot, every file and the ledger.
    Restore {
        /// The backup to restore.
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum LedgerAction {
    /// Verifies every ledger invariant in the data directory's store: each transaction's
    /// postings sum to zero, each balance is the sum of its postings, no wallet or escrow is
    /// below zero, wallets and escrows hold exactly money in − money out, and the transfer escrow
    /// holds exactly the pending transfers. Exits 1 when anything is wrong.
    Check,
}

impl Config {
    /// An installed server (`/usr/bin/xin-server`) serves the web apps its package put in
    /// `/usr/share/xin-server/`, unless a flag says otherwise or it runs in a source tree that
    /// has them built (`ui/dist/mobile`).
    pub fn find_installed_web_apps(&mut self) {
        if self.companion_dir.is_absolute() || self.companion_dir.exists() {
            return;
        }
        let installed = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.parent()?.join("share/xin-server/companion")));
        if let Some(dir) = installed.filter(|d| d.is_dir()) {
            self.companion_dir = dir;
        }
    }

    pub fn console_dir(&self) -> PathBuf {
        self.console_dir
            .clone()
            .unwrap_or_else(|| self.companion_dir.with_file_name("console"))
    }

    /// A configuration for tests: loopback on a free port, data in `dir`.
    pub fn for_tests(dir: &std::path::Path) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: Some(dir.to_path_buf()),
            database_url: None,
            broker: None,
            blobs: None,
            log_sweep_ms: 5_000,
            drain_secs: None,
            public_url: None,
            trusted_proxies: Vec::new(),
            companion_dir: dir.join("companion"),
            console_dir: None,
            ticket_pending_secs: 60,
            ticket_scanned_secs: 120,
            access_ttl_secs: 900,
            session_max_days: 90,
            tickets_per_minute: 1000,
            attempts_per_minute: 1000,
            lookups_per_hour: 1000,
            signups_per_hour: 1000,
            official_messages_per_minute: 1000,
            socket_queue: 1024,
            max_file_bytes: 4 << 30,
            quota_bytes: 20 << 30,
            upload_checkpoint_bytes: 64 << 20,
            upload_silence_secs: 60,
            uploads_per_user: 6,
            uploads_in_all: 96,
            gc_grace_secs: 24 * 3600,
            webhook_private_hosts: true,
            check_contract: true,
            webhook_retry_ms: 1000,
            webhook_timeout_ms: 5000,
            gc_interval_secs: 3600,
            transfer_ttl_secs: 24 * 3600,
            call_ring_secs: 45,
            turn_urls: Vec::new(),
            turn_secret: None,
            tls_cert: None,
            tls_key: None,
            metrics_listen: None,
            log_format: LogFormat::Text,
            payment_code_ttl_secs: 60,
            payment_code_no_pin_fen: 50_000,
            payment_code_no_pin_daily_fen: 200_000,
            payment_code_confirm_secs: 120,
            command: None,
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(|| {
            dirs::data_dir()
                .unwrap_or_else(|| PathBuf::from("."))
                .join("xin-server")
        })
    }

    /// Where the store is: PostgreSQL when a database URL is set, else SQLite in the data
    /// directory.
    pub fn backend(&self) -> crate::store::Backend {
        match &self.database_url {
            Some(url) => crate::store::Backend::Postgres(url.clone()),
            None => crate::store::Backend::Sqlite(self.data_dir()),
        }
    }

    /// What cannot work, said before anything starts: a node on a shared database must not put
    /// its own address into QR codes and links, which phones may open through another node.
    pub fn check(&self) -> Result<(), String> {
        if let Some(url) = &self.broker {
            if !url.starts_with("nats://") {
                return Err(format!("--broker must be a nats:// URL, not {url:?}"));
            }
        }
        if let Some(url) = &self.blobs {
            if !url.starts_with("s3://") {
                return Err(format!(
                    "--blobs must be an s3:// URL (s3://BUCKET?endpoint=…&region=…), not {url:?}"
                ));
            }
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err("--tls-cert and --tls-key go together: give both, or neither".into());
        }
        if !self.turn_urls.is_empty() && self.turn_secret.is_none() {
            return Err(
                "--turn-urls needs --turn-secret (XIN_TURN_SECRET), the TURN server's \
                 static-auth-secret: without it no credentials can be made"
                    .into(),
            );
        }
        if let Some(url) = &self.database_url {
            if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
                return Err(format!(
                    "--database-url must be a postgres:// URL, not {:?}",
                    crate::store::redact_url(url)
                ));
            }
            if self.public_url.is_none() {
                return Err(
                    "--public-url (XIN_PUBLIC_URL) is required with --database-url: \
                            every node must put the same address, the load balancer's, into QR \
                            codes and links"
                        .into(),
                );
            }
        }
        Ok(())
    }

    /// How long a stopping node takes to close its sockets (see `drain_secs`).
    pub fn drain_window(&self) -> Duration {
        let default = if self.broker.is_some() { 10 } else { 0 };
        Duration::from_secs(self.drain_secs.unwrap_or(default))
    }

    pub fn pending_ttl(&self) -> Duration {
        Duration::from_secs(self.ticket_pending_secs)
    }

    pub fn scanned_ttl(&self) -> Duration {
        Duration::from_secs(self.ticket_scanned_secs)
    }

    /// The base URL for QR codes, given the address actually bound.
    pub fn public_url_for(&self, bound: SocketAddr) -> String {
        if let Some(url) = &self.public_url {
            return url.trim_end_matches('/').to_string();
        }
        let host = if bound.ip().is_unspecified() {
            local_ip_address::local_ip()
                .map(|ip| ip.to_string())
                .unwrap_or_else(|_| "127.0.0.1".to_string())
        } else {
            bound.ip().to_string()
        };
        let scheme = if self.tls_cert.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{host}:{}", bound.port())
    }
}
