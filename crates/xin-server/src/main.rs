use clap::Parser;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

use xin_server::{
    config::{Command, LedgerAction, LogFormat},
    Config,
};

#[tokio::main]
async fn main() -> ExitCode {
    let mut config = Config::parse();
    config.find_installed_web_apps();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    match config.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        // One JSON object a line, with the request's span (method, path, request id) in it.
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter)
            .init(),
    }
    if let Some(command) = &config.command {
        return run_command(&config, command).await;
    }
    // Every realtime socket is a descriptor: allow as many as the system lets this user have.
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        tracing::warn!("could not raise the open-file limit: {e}");
    }
    match xin_server::serve(config, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("xin-server stopped: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A command instead of serving: prints what it found, exits 1 when anything is wrong.
async fn run_command(config: &Config, command: &Command) -> ExitCode {
    match command {
        Command::Ledger {
            action: LedgerAction::Check,
        } => ledger_check(config).await,
        Command::Backup { dir } => {
            if config.database_url.is_some() {
                eprintln!("backup: the store is in PostgreSQL; back it up with PostgreSQL's tools (docs/operations.md)");
                return ExitCode::FAILURE;
            }
            match xin_server::store::backup::backup(&config.data_dir(), dir) {
                Ok(copied) => {
                    println!(
                        "backup: {} files and the database, {} bytes, in {}",
                        copied.blobs,
                        copied.bytes,
                        dir.display()
                    );
                    for hash in &copied.missing {
                        println!("backup: file {hash} was collected while the backup ran (nothing pointed at it)");
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("backup: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Restore { dir } => {
            if config.database_url.is_some() {
                eprintln!("restore: only into the embedded store (leave out --database-url)");
                return ExitCode::FAILURE;
            }
            match xin_server::store::backup::restore(dir, &config.data_dir()) {
                Ok(copied) => {
                    println!(
                        "restore: {} files and the database, {} bytes, into {}",
                        copied.blobs,
                        copied.bytes,
                        config.data_dir().display()
                    );
                    // The restored store is opened (and migrated) as a server would, and its
                    // money checked before anyone relies on it.
                    ledger_check(config).await
                }
                Err(e) => {
                    eprintln!("restore: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

async fn ledger_check(config: &Config) -> ExitCode {
    match xin_server::check_ledger(config).await {
        Ok(problems) if problems.is_empty() => {
            println!("ledger check: every invariant holds");
            ExitCode::SUCCESS
        }
        Ok(problems) => {
            for p in &problems {
                println!("ledger check: {p}");
            }
            println!("ledger check: {} problems", problems.len());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("ledger check: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
