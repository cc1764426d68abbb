//! A webhook receiver on loopback that records what it is sent and answers as scripted, and
//! the check of a delivery's signature.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How the receiver answers the next request.
#[derive(Clone, Copy)]
pub enum Answer {
    Ok,
    Fail,
    /// Answer 200, but only after this many milliseconds.
    Slow(u64),
}

#[derive(Default)]
pub struct Receiver {
    pub script: VecDeque<Answer>,
    /// What to do when the script is used up.
    pub then: Option<Answer>,
    pub seen: Vec<(HashMap<String, String>, String)>,
}

/// A webhook receiver on loopback; answers its URL and its shared state.
pub async fn receiver() -> (String, Arc<Mutex<Receiver>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(Receiver::default()));
    let shared = state.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let state = shared.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head, body) = loop {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(at) = text.find("\r\n\r\n") {
                        let head = text[..at].to_string();
                        let len: usize = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if buf.len() >= at + 4 + len {
                            break (
                                head,
                                String::from_utf8_lossy(&buf[at + 4..at + 4 + len]).to_string(),
                            );
                        }
                    }
                };
                let headers = head
                    .lines()
                    .skip(1)
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                    .collect();
                let answer = {
                    let mut s = state.lock().unwrap();
                    s.seen.push((headers, body));
                    let next = s.script.pop_front();
                    next.or(s.then).unwrap_or(Answer::Ok)
                };
                let status = match answer {
                    Answer::Ok => "200 OK",
                    Answer::Fail => "500 Internal Server Error",
                    Answer::Slow(ms) => {
                        tokio::time::sleep(Duration::from_millis(ms)).await;
                        "200 OK"
                    }
                };
                let _ = socket
                    .write_all(
                        format!(
                            "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                        )
                        .as_bytes(),
                    )
                    .await;
            });
        }
    });
    (url, state)
}

pub fn verify(secret: &str, headers: &HashMap<String, String>, body: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(
        format!(
            "{}\n{}\n{body}",
            headers["x-xin-timestamp"], headers["x-xin-nonce"]
        )
        .as_bytes(),
    );
    hex::encode(mac.finalize().into_bytes()) == headers["x-xin-signature"]
}

pub async fn seen_count(state: &Arc<Mutex<Receiver>>, n: usize) {
    for _ in 0..200 {
        if state.lock().unwrap().seen.len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "the receiver saw {} requests, not {n}",
        state.lock().unwrap().seen.len()
    );
}
