use clap::Parser;
use tracing_subscriber::EnvFilter;
use xin_server::Config;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();
    if let Some(xin_server::config::Command::Ledger { action }) = &config.command {
        let xin_server::config::LedgerAction::Check = action;
        return match xin_server::check_ledger(&config).await {
            Ok(problems) if problems.is_empty() => {
                println!("ledger check: every invariant holds");
                std::process::ExitCode::SUCCESS
            }
            Ok(problems) => {
                for p in &problems {
                    println!("ledger check: {p}");
                }
                println!("ledger check: {} problems", problems.len());
                std::process::ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("ledger check: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    // Every realtime socket is a descriptor: allow as many as the system lets this user have.
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        tracing::warn!("could not raise the open-file limit: {e}");
    }
    match xin_server::serve(config, shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("xin-server stopped: {e:#}");
            std::process::ExitCode::FAILURE
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
