//! The Moments steps: one person with many friends who each posted many times (how fast that
//! person's first timeline page comes back), and one person with very many friends posting (what
//! fanning a post out to every friend's event log costs).

use std::sync::{atomic::Ordering, Arc};

use futures_util::{stream, StreamExt, TryStreamExt};
use reqwest::Method;
use serde_json::{json, Value};

use crate::{
    client::{Api, Result, User},
    receiver::Tally,
    scenarios::Op,
};

/// People numbered `from..to` in this run.
async fn people(api: &Api, run: &str, from: usize, to: usize) -> Result<Vec<User>> {
    stream::iter(from..to)
        .map(|i| api.sign_up(run, i))
        .buffered(8)
        .try_collect()
        .await
}

/// A new person (number `n`) who is friends with all of `people`.
async fn hub(api: &Api, run: &str, n: usize, people: &[User]) -> Result<User> {
    let hub = api.sign_up(run, n).await?;
    stream::iter(people)
        .map(|p| api.befriend(p, &hub))
        .buffered(8)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(hub)
}

/// Signs up `friends` people who are all friends with one more, and has each post `posts`
/// times; answers that one person and the friends.
pub async fn world(
    api: &Api,
    run: &str,
    friends: usize,
    posts: usize,
) -> Result<(User, Vec<User>)> {
    let people = people(api, run, 400_000, 400_000 + friends).await?;
    let hub = hub(api, run, 500_000, &people).await?;
    stream::iter(people.iter().flat_map(|p| (0..posts).map(move |n| (p, n))))
        .map(|(p, n)| {
            api.post(
                Some(&p.token),
                "/moments",
                json!({"text": format!("post {n}"), "visibility": "all"}),
            )
        })
        .buffered(32)
        .try_collect::<Vec<Value>>()
        .await?;
    Ok((hub, people))
}

/// Someone with `friends` friends (the world's people and as many more as needed).
pub async fn celebrity(api: &Api, run: &str, mut known: Vec<User>, friends: usize) -> Result<User> {
    let have = known.len();
    if have < friends {
        known.extend(people(api, run, 400_000 + have, 400_000 + friends).await?);
    }
    known.truncate(friends);
    hub(api, run, 600_000, &known).await
}

/// `author` posts (text, all friends); the answer comes once the post and one event per
/// friend are durable.
pub fn fan_out_op(api: &Api, author: &User, tally: &Arc<Tally>) -> Op {
    let (api, author, tally) = (api.clone(), author.clone(), tally.clone());
    Arc::new(move |_| {
        let (api, author, tally) = (api.clone(), author.clone(), tally.clone());
        Box::pin(async move {
            let t0 = tally.now_us();
            api.post(
                Some(&author.token),
                "/moments",
                json!({"text": "news for everyone", "visibility": "all"}),
            )
            .await?;
            if tally.measuring.load(Ordering::Relaxed) {
                if let Ok(mut h) = tally.latency.lock() {
                    let _ = h.record((tally.now_us() - t0).max(1));
                }
            }
            Ok(())
        })
    })
}

/// Reads `hub`'s first timeline page (20 posts); the answer time is the latency.
pub fn first_page_op(api: &Api, hub: &User, tally: &Arc<Tally>) -> Op {
    let (api, hub, tally) = (api.clone(), hub.clone(), tally.clone());
    Arc::new(move |_| {
        let (api, hub, tally) = (api.clone(), hub.clone(), tally.clone());
        Box::pin(async move {
            let t0 = tally.now_us();
            let page = api
                .call(Method::GET, Some(&hub.token), "/moments", Value::Null)
                .await?;
            if page["posts"].as_array().map_or(0, Vec::len) != 20 {
                return Err(format!("a first page of {} posts", page["posts"]));
            }
            if tally.measuring.load(Ordering::Relaxed) {
                if let Ok(mut h) = tally.latency.lock() {
                    let _ = h.record((tally.now_us() - t0).max(1));
                }
            }
            Ok(())
        })
    })
}
