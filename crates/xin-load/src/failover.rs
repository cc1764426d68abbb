//! Failover: one node of a service is SIGKILLed under load. Measures how long until every
//! socket it held is back (through the balancer, on another node) and caught up, and how many
//! acknowledged sends were lost, which must be none. Senders retry a send that failed with the
//! same client id, as Xin's clients do, so a retry never doubles a message.

use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::{
    client::{Api, Result, User},
    scenarios::{direct_pairs, Target},
};

/// What one receiver applied: events in seq order, the messages' client ids, and when its
/// socket came back after the kill.
#[derive(Default)]
struct Receiver {
    last: i64,
    holes: usize,
    messages: HashSet<String>,
    /// The socket in use when the node died was lost.
    lost_socket: bool,
    /// Since the kill: when the receiver was connected again and caught up.
    back_after: Option<Duration>,
}

struct Shared {
    api: Api,
    http: reqwest::Client,
    /// Set when the senders are to stop, then `stop` once they have: receivers end with a last
    /// catch-up, after every acknowledgement is in.
    stop_sending: AtomicBool,
    stop: AtomicBool,
    killed_at: Mutex<Option<Instant>>,
}

/// Runs the step; answers its table (Markdown).
pub async fn run(server: &str, pairs: usize, victim: u32, seconds: u64) -> Result<String> {
    let api = Api::new(server)?;
    let run = format!("{:04}", uuid::Uuid::new_v4().as_u128() % 10_000);
    eprintln!("xin-load: failover: {pairs} direct pairs through {server}…");
    let (receivers, targets) = direct_pairs(&api, &run, pairs.max(1)).await?;
    let shared = Arc::new(Shared {
        api,
        http: reqwest::Client::new(),
        stop_sending: AtomicBool::new(false),
        stop: AtomicBool::new(false),
        killed_at: Mutex::new(None),
    });
    let states: Vec<Arc<Mutex<Receiver>>> = receivers
        .iter()
        .map(|_| Arc::new(Mutex::new(Receiver::default())))
        .collect();
    let mut listening = Vec::new();
    for (user, state) in receivers.iter().zip(&states) {
        listening.push(tokio::spawn(receive(
            shared.clone(),
            user.clone(),
            state.clone(),
        )));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let acknowledged = Arc::new(Mutex::new(Vec::<(usize, String)>::new()));
    let retried = Arc::new(AtomicUsize::new(0));
    let senders: Vec<_> = targets
        .into_iter()
        .enumerate()
        .map(|(i, target)| {
            tokio::spawn(send(
                shared.clone(),
                i,
                target,
                acknowledged.clone(),
                retried.clone(),
            ))
        })
        .collect();

    let phase = Duration::from_secs(seconds.max(1));
    tokio::time::sleep(phase).await;
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &victim.to_string()])
        .status()
        .map_err(|e| format!("kill {victim}: {e}"))?;
    if !killed.success() {
        return Err(format!("kill -KILL {victim} failed"));
    }
    *lock(&shared.killed_at) = Some(Instant::now());
    eprintln!("xin-load: failover: node {victim} killed");
    tokio::time::sleep(phase).await;
    shared.stop_sending.store(true, Ordering::SeqCst);
    for s in senders {
        s.await.map_err(|e| e.to_string())?;
    }
    shared.stop.store(true, Ordering::SeqCst);
    for l in listening {
        l.await.map_err(|e| e.to_string())?;
    }

    let acknowledged = std::mem::take(&mut *lock(&acknowledged));
    let mut lost = 0usize;
    let mut holes = 0usize;
    let mut moved = 0usize;
    let mut slowest = Duration::ZERO;
    let mut never_back = 0usize;
    for (i, state) in states.iter().enumerate() {
        let r = lock(state);
        holes += r.holes;
        lost += acknowledged
            .iter()
            .filter(|(to, id)| *to == i && !r.messages.contains(id))
            .count();
        if r.lost_socket {
            moved += 1;
            match r.back_after {
                Some(t) => slowest = slowest.max(t),
                None => never_back += 1,
            }
        }
    }
    let table = format!(
        "| failover (SIGKILL one node under 1:1 load) | value |\n|---|---|\n\
         | receivers | {} |\n| sockets the dead node held | {moved} |\n\
         | seconds until every one is back and caught up | {:.2} |\n\
         | sockets never back | {never_back} |\n| acknowledged sends | {} |\n\
         | sends retried after an error | {} |\n\
         | acknowledged sends lost | {lost} |\n| holes in a receiver's seqs | {holes} |\n",
        states.len(),
        slowest.as_secs_f64(),
        acknowledged.len(),
        retried.load(Ordering::Relaxed),
    );
    if lost > 0 || holes > 0 || never_back > 0 {
        return Err(format!(
            "failover lost {lost} acknowledged sends, {holes} holes, {never_back} sockets never back"
        ));
    }
    Ok(table)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Sends one message after another; a send that fails is sent again with the same client id
/// until it is acknowledged (the server answers a repeat with the first message).
async fn send(
    shared: Arc<Shared>,
    to: usize,
    (from, conv): Target,
    acknowledged: Arc<Mutex<Vec<(usize, String)>>>,
    retried: Arc<AtomicUsize>,
) {
    while !shared.stop_sending.load(Ordering::SeqCst) {
        let client_id = uuid::Uuid::now_v7().to_string();
        let body = json!({"client_id": client_id, "content": {"type": "text", "text": "failover"}});
        let path = format!("/conversations/{conv}/messages");
        loop {
            match shared
                .api
                .post(Some(&from.token), &path, body.clone())
                .await
            {
                Ok(_) => {
                    lock(&acknowledged).push((to, client_id.clone()));
                    break;
                }
                // Given up unacknowledged: not counted, as a user would see it unsent.
                Err(_) if shared.stop_sending.load(Ordering::SeqCst) => return,
                Err(_) => {
                    retried.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}

/// Fetches `/events` after what was applied, up to the head.
async fn catch_up(shared: &Shared, user: &User, state: &Mutex<Receiver>) -> Option<()> {
    loop {
        let after = lock(state).last;
        let page: Value = shared
            .http
            .get(format!(
                "{}/api/v1/events?after={after}&limit=500",
                shared.api.base
            ))
            .bearer_auth(&user.token)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .ok()?
            .error_for_status()
            .ok()?
            .json()
            .await
            .ok()?;
        let events = page["events"].as_array()?;
        let mut r = lock(state);
        for e in events {
            apply(&mut r, e);
        }
        if r.last >= page["head"].as_i64()? || events.is_empty() {
            return Some(());
        }
    }
}

fn apply(r: &mut Receiver, event: &Value) {
    let Some(seq) = event["seq"].as_i64() else {
        return;
    };
    if seq <= r.last {
        return;
    }
    if seq != r.last + 1 {
        r.holes += 1;
    }
    r.last = seq;
    if event["body"]["type"] == "message_new" {
        if let Some(id) = event["body"]["message"]["client_id"].as_str() {
            r.messages.insert(id.to_owned());
        }
    }
}

/// A receiver's socket through the balancer, connected again after each loss, as a client
/// does: catch up from the log, then apply live events in order.
async fn receive(shared: Arc<Shared>, user: User, state: Arc<Mutex<Receiver>>) {
    let mut first = true;
    while !shared.stop.load(Ordering::SeqCst) {
        let Ok(handshake) = shared.api.realtime(&user.token) else {
            return;
        };
        let Ok((mut ws, _)) = tokio_tungstenite::connect_async(handshake).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        if catch_up(&shared, &user, &state).await.is_none() {
            continue;
        }
        if !first {
            let killed_at = *lock(&shared.killed_at);
            let mut r = lock(&state);
            if let (Some(at), None) = (killed_at, r.back_after) {
                r.back_after = Some(at.elapsed());
            }
        }
        first = false;
        loop {
            let next = tokio::time::timeout(Duration::from_millis(200), ws.next()).await;
            match next {
                Err(_) if shared.stop.load(Ordering::SeqCst) => {
                    catch_up(&shared, &user, &state).await;
                    return;
                }
                Err(_) => continue,
                Ok(Some(Ok(Message::Text(t)))) => {
                    let Ok(v) = serde_json::from_str::<Value>(t.as_str()) else {
                        continue;
                    };
                    if v["type"] != "event" {
                        continue;
                    }
                    let gap = v["event"]["seq"]
                        .as_i64()
                        .is_some_and(|seq| seq > lock(&state).last + 1);
                    if gap && catch_up(&shared, &user, &state).await.is_none() {
                        break;
                    }
                    apply(&mut lock(&state), &v["event"]);
                }
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(_)) | None) => break,
            }
        }
        if lock(&shared.killed_at).is_some() {
            lock(&state).lost_socket = true;
        }
    }
}
