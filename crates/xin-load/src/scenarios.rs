//! The measured steps: 1:1 sends swept over concurrency, latency at half the peak, a large
//! group, and idle sockets for memory. Each prints as one row of the summary table.

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use futures_util::{future::BoxFuture, stream, StreamExt, TryStreamExt};
use hdrhistogram::Histogram;

use crate::{
    client::{Api, Result, User},
    receiver::{self, Tally},
    server_stats::Server,
    wallet::pay_op,
    Args,
};

/// One line of the summary.
struct Row {
    step: String,
    senders: String,
    sent: f64,
    delivered: f64,
    p50_ms: f64,
    p99_ms: f64,
    cores: Option<f64>,
    /// Cores of each watched process (`--watch`), in their order.
    others: Vec<f64>,
    rss_mib: Option<f64>,
}

/// Where a sender sends: as `user` into `conv`.
pub type Target = (User, String);

const SETUP_CONCURRENCY: usize = 8;

async fn sign_up_many(api: &Api, run: &str, from: usize, n: usize) -> Result<Vec<User>> {
    stream::iter(from..from + n)
        .map(|i| api.sign_up(run, i))
        .buffered(SETUP_CONCURRENCY)
        .try_collect()
        .await
}

fn percentile_ms(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

fn taken(tally: &Tally) -> Histogram<u64> {
    tally
        .latency
        .lock()
        .map(|h| h.clone())
        .unwrap_or_else(|p| p.into_inner().clone())
}

/// One request of a closed-loop step, by sender number; resolves when acknowledged.
pub type Op = Arc<dyn Fn(usize) -> BoxFuture<'static, Result<()>> + Send + Sync>;

/// 1:1 sends: sender `i` sends into its target chat, with the send time in the text so the
/// receiver can time the delivery.
fn send_op(api: &Api, targets: &Arc<Vec<Target>>, tally: &Arc<Tally>) -> Op {
    let (api, targets, tally) = (api.clone(), targets.clone(), tally.clone());
    Arc::new(move |i| {
        let (api, tally) = (api.clone(), tally.clone());
        let (user, conv) = targets[i % targets.len()].clone();
        Box::pin(async move {
            let text = format!("{} load", tally.now_us());
            api.send(&user, &conv, text).await
        })
    })
}

/// Senders that each make a request, wait for the acknowledgement, and make the next.
async fn closed_loop(
    op: Op,
    senders: usize,
    tally: &Arc<Tally>,
    server: &Server,
    step: Duration,
    name: &str,
) -> Result<Row> {
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..senders)
        .map(|i| {
            let op = op.clone();
            let (stop, sent, errors) = (stop.clone(), sent.clone(), errors.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    match op(i).await {
                        Ok(()) => {
                            sent.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            if errors.fetch_add(1, Ordering::Relaxed) < 3 {
                                eprintln!("xin-load: {e}");
                            }
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                }
            })
        })
        .collect();
    // Warm up (connections, caches), then measure a clean window.
    tokio::time::sleep(Duration::from_secs(1)).await;
    tally.reset_latency();
    tally.measuring.store(true, Ordering::Relaxed);
    let (d0, s0, c0, t0) = (
        tally.delivered.load(Ordering::Relaxed),
        sent.load(Ordering::Relaxed),
        server.sample(),
        Instant::now(),
    );
    tokio::time::sleep(step).await;
    let (d1, s1, c1, secs) = (
        tally.delivered.load(Ordering::Relaxed),
        sent.load(Ordering::Relaxed),
        server.sample(),
        t0.elapsed().as_secs_f64(),
    );
    tally.measuring.store(false, Ordering::Relaxed);
    let rss = server.rss_kib();
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    let h = taken(tally);
    // Let the sockets drain before the next step.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let errors = errors.load(Ordering::Relaxed);
    if errors > 0 {
        eprintln!("xin-load: {name} × {senders}: {errors} failed requests");
    }
    Ok(Row {
        step: name.to_string(),
        senders: senders.to_string(),
        sent: (s1 - s0) as f64 / secs,
        delivered: (d1 - d0) as f64 / secs,
        p50_ms: percentile_ms(&h, 0.5),
        p99_ms: percentile_ms(&h, 0.99),
        cores: Server::cores(&c0, &c1),
        others: Server::watched_cores(&c0, &c1),
        rss_mib: rss.map(|k| k as f64 / 1024.0),
    })
}

/// Sends at a fixed rate whatever the answers do (open loop), to measure latency honestly.
async fn open_loop(
    api: &Api,
    targets: &Arc<Vec<Target>>,
    rate: f64,
    tally: &Arc<Tally>,
    server: &Server,
    step: Duration,
) -> Result<Row> {
    const TICK: Duration = Duration::from_millis(5);
    const MAX_IN_FLIGHT: u64 = 8192;
    let per_tick = rate * TICK.as_secs_f64();
    let in_flight = Arc::new(AtomicU64::new(0));
    let skipped = Arc::new(AtomicU64::new(0));
    let sent = Arc::new(AtomicU64::new(0));
    tally.reset_latency();
    tally.measuring.store(true, Ordering::Relaxed);
    let (d0, c0, t0) = (
        tally.delivered.load(Ordering::Relaxed),
        server.sample(),
        Instant::now(),
    );
    let mut ticker = tokio::time::interval(TICK);
    let mut owed = 0.0;
    let mut next = 0usize;
    while t0.elapsed() < step {
        ticker.tick().await;
        owed += per_tick;
        while owed >= 1.0 {
            owed -= 1.0;
            if in_flight.load(Ordering::Relaxed) >= MAX_IN_FLIGHT {
                skipped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            let (user, conv) = targets[next % targets.len()].clone();
            next += 1;
            let (api, tally) = (api.clone(), tally.clone());
            let (in_flight, sent) = (in_flight.clone(), sent.clone());
            in_flight.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let text = format!("{} load", tally.now_us());
                if api.send(&user, &conv, text).await.is_ok() {
                    sent.fetch_add(1, Ordering::Relaxed);
                }
                in_flight.fetch_sub(1, Ordering::Relaxed);
            });
        }
    }
    let (d1, c1, secs) = (
        tally.delivered.load(Ordering::Relaxed),
        server.sample(),
        t0.elapsed().as_secs_f64(),
    );
    let rss = server.rss_kib();
    while in_flight.load(Ordering::Relaxed) > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    tally.measuring.store(false, Ordering::Relaxed);
    let skipped = skipped.load(Ordering::Relaxed);
    if skipped > 0 {
        eprintln!("xin-load: open loop skipped {skipped} sends (over {MAX_IN_FLIGHT} in flight)");
    }
    let h = taken(tally);
    Ok(Row {
        step: format!("1:1 latency at {rate:.0} msg/s (half the peak)"),
        senders: "open loop".into(),
        sent: sent.load(Ordering::Relaxed) as f64 / secs,
        delivered: (d1 - d0) as f64 / secs,
        p50_ms: percentile_ms(&h, 0.5),
        p99_ms: percentile_ms(&h, 0.99),
        cores: Server::cores(&c0, &c1),
        others: Server::watched_cores(&c0, &c1),
        rss_mib: rss.map(|k| k as f64 / 1024.0),
    })
}

pub async fn direct_pairs(api: &Api, run: &str, pairs: usize) -> Result<(Vec<User>, Vec<Target>)> {
    let users = sign_up_many(api, run, 0, pairs * 2).await?;
    let targets: Vec<Target> = stream::iter(users.chunks(2))
        .map(|pair| async move {
            api.befriend(&pair[0], &pair[1]).await?;
            let conv = api.open_direct(&pair[0], &pair[1]).await?;
            Ok::<_, String>((pair[0].clone(), conv))
        })
        .buffered(SETUP_CONCURRENCY)
        .try_collect()
        .await?;
    let receivers = users.chunks(2).map(|p| p[1].clone()).collect();
    Ok((receivers, targets))
}

async fn group(api: &Api, run: &str, size: usize) -> Result<(Vec<User>, String)> {
    let members = sign_up_many(api, run, 100_000, size).await?;
    let (owner, rest) = members.split_first().ok_or("empty group")?;
    stream::iter(rest)
        .map(|m| api.befriend(owner, m))
        .buffered(SETUP_CONCURRENCY)
        .try_collect::<Vec<()>>()
        .await?;
    let conv = api.create_group(owner, rest).await?;
    Ok((members, conv))
}

async fn listen(api: &Api, users: &[User], tally: &Arc<Tally>) -> Result<()> {
    for u in users {
        receiver::spawn(api.realtime(&u.token)?, tally.clone()).await?;
    }
    Ok(())
}

/// Opens `n` idle sockets and reports the server's resident memory per socket.
async fn idle(api: &Api, users: &[User], n: usize, server: &Server) -> Result<Row> {
    let before = server.rss_kib();
    let t0 = Instant::now();
    let sockets: Vec<_> = stream::iter(0..n)
        .map(|i| {
            let handshake = api.realtime(&users[i % users.len()].token);
            async move { receiver::idle(handshake?).await }
        })
        .buffer_unordered(64)
        .try_collect()
        .await?;
    let opened = t0.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = server.rss_kib();
    let per = match (before, after) {
        (Some(b), Some(a)) => format!("{:.1} KiB", a.saturating_sub(b) as f64 / n as f64),
        _ => "n/a (no --server-pid)".into(),
    };
    println!("idle sockets: {n} opened in {opened:.1} s; server RSS per socket: {per}");
    drop(sockets);
    Ok(Row {
        step: format!("{n} idle WebSockets: server RSS per socket {per}"),
        senders: "-".into(),
        sent: 0.0,
        delivered: 0.0,
        p50_ms: 0.0,
        p99_ms: 0.0,
        cores: None,
        others: Vec::new(),
        rss_mib: after.map(|k| k as f64 / 1024.0),
    })
}

fn table(rows: &[Row], watched: &[String]) -> String {
    let mut out = String::from(
        "| step | senders | acknowledged sends/s | deliveries/s | p50 ms | p99 ms | server CPU (cores) | server CPU µs per send |",
    );
    for name in watched {
        out.push_str(&format!(" {name} CPU µs per send |"));
    }
    out.push_str(" server RSS MiB |\n|---|---|---|---|---|---|---|---|");
    out.push_str(&"---|".repeat(watched.len()));
    out.push_str("---|\n");
    for r in rows {
        let cores = r.cores.map_or("-".into(), |c| format!("{c:.2}"));
        let per = |c: Option<f64>| match c {
            Some(c) if r.sent > 0.0 => format!("{:.0}", c * 1e6 / r.sent),
            _ => "-".into(),
        };
        let per_send = per(r.cores);
        let others: String = (0..watched.len())
            .map(|i| format!(" {} |", per(r.others.get(i).copied())))
            .collect();
        let rss = r.rss_mib.map_or("-".into(), |m| format!("{m:.0}"));
        let lat = |v: f64| {
            if v > 0.0 {
                format!("{v:.1}")
            } else {
                "-".into()
            }
        };
        let delivered = if r.delivered > 0.0 {
            format!("{:.0}", r.delivered)
        } else {
            "-".into()
        };
        out.push_str(&format!(
            "| {} | {} | {:.0} | {delivered} | {} | {} | {cores} | {per_send} |{others} {rss} |\n",
            r.step,
            r.senders,
            r.sent,
            lat(r.p50_ms),
            lat(r.p99_ms)
        ));
    }
    out
}

pub async fn run(args: Args) -> Result<()> {
    let api = Api::new(&args.server)?;
    // Receivers' sockets on another node than the senders' requests, when asked.
    let listening = Api::new(args.listen_server.as_deref().unwrap_or(&args.server))?;
    let server = Server::new(args.server_pid.clone(), &args.watch)?;
    let run = format!("{:04}", uuid::Uuid::new_v4().as_u128() % 10_000);
    let mut rows = Vec::new();

    eprintln!("xin-load: {} direct pairs…", args.pairs);
    let (receivers, targets) = direct_pairs(&api, &run, args.pairs.max(1)).await?;
    let targets = Arc::new(targets);
    let direct = Tally::new()?;
    listen(&listening, &receivers, &direct).await?;
    for &senders in &args.senders {
        eprintln!("xin-load: 1:1 with {senders} senders…");
        let op = send_op(&api, &targets, &direct);
        let row = closed_loop(op, senders, &direct, &server, args.step(), "1:1").await?;
        rows.push(row);
    }
    let peak = rows.iter().map(|r| r.delivered).fold(0.0, f64::max);
    if peak > 0.0 {
        eprintln!("xin-load: latency at half the peak ({:.0}/s)…", peak / 2.0);
        rows.push(open_loop(&api, &targets, peak / 2.0, &direct, &server, args.step()).await?);
    }

    if args.group_size >= 2 {
        eprintln!("xin-load: a {}-member group…", args.group_size);
        let (members, conv) = group(&api, &run, args.group_size).await?;
        let tally = Tally::new()?;
        listen(&listening, &members, &tally).await?;
        let senders: Arc<Vec<Target>> =
            Arc::new(members.iter().map(|m| (m.clone(), conv.clone())).collect());
        for &n in &args.group_senders {
            eprintln!("xin-load: group with {n} senders…");
            let name = format!("{}-member group", args.group_size);
            let op = send_op(&api, &senders, &tally);
            rows.push(closed_loop(op, n, &tally, &server, args.step(), &name).await?);
        }
    }

    if args.payers >= 2 {
        eprintln!("xin-load: {} funded wallets…", args.payers);
        let payers = Arc::new(sign_up_many(&api, &run, 200_000, args.payers).await?);
        let shop = sign_up_many(&api, &run, 300_000, 1).await?.remove(0);
        crate::wallet::fund(&api, &payers).await?;
        let tally = Tally::new()?;
        for &n in &args.wallet_senders {
            let (spread, hot) = (payers.clone(), shop.clone());
            let steps: [(&str, Op); 2] = [
                (
                    "payments, wallet to wallet",
                    pay_op(
                        &api,
                        &payers,
                        move |i| spread[(i + 1) % spread.len()].clone(),
                        &tally,
                    ),
                ),
                (
                    "payments, all into one hot account",
                    pay_op(&api, &payers, move |_| hot.clone(), &tally),
                ),
            ];
            for (name, op) in steps {
                eprintln!("xin-load: {name} with {n} payers…");
                rows.push(closed_loop(op, n, &tally, &server, args.step(), name).await?);
            }
        }
    }

    if args.moments_friends > 0 {
        eprintln!(
            "xin-load: {} friends × {} Moments posts…",
            args.moments_friends, args.moments_posts
        );
        let (hub, people) =
            crate::moments::world(&api, &run, args.moments_friends, args.moments_posts).await?;
        let tally = Tally::new()?;
        let name = format!(
            "Moments: first timeline page ({} friends × {} posts)",
            args.moments_friends, args.moments_posts
        );
        for n in [1, 8] {
            let op = crate::moments::first_page_op(&api, &hub, &tally);
            rows.push(closed_loop(op, n, &tally, &server, args.step(), &name).await?);
        }
        if args.moments_fan_out > 0 {
            eprintln!(
                "xin-load: one author with {} friends…",
                args.moments_fan_out
            );
            let author =
                crate::moments::celebrity(&api, &run, people, args.moments_fan_out).await?;
            let tally = Tally::new()?;
            let name = format!(
                "Moments: one post fanned out to {} friends",
                args.moments_fan_out
            );
            let op = crate::moments::fan_out_op(&api, &author, &tally);
            let row = closed_loop(op, 1, &tally, &server, args.step(), &name).await?;
            // Those posts are a stranger's to the reader above: the read-time merge skips them.
            let skipped = row.sent * args.step().as_secs_f64();
            rows.push(row);
            let tally = Tally::new()?;
            let name =
                format!("Moments: first page again, past {skipped:.0} newer posts by a stranger");
            let op = crate::moments::first_page_op(&api, &hub, &tally);
            rows.push(closed_loop(op, 1, &tally, &server, args.step(), &name).await?);
        }
    }

    if args.idle > 0 {
        eprintln!("xin-load: {} idle sockets…", args.idle);
        rows.push(idle(&api, &receivers, args.idle, &server).await?);
    }

    let table = table(&rows, &server.names());
    println!("\n{table}");
    if let Some(path) = &args.markdown {
        std::fs::write(path, &table).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
