//! `xin-demo --server URL`: fills a fresh server with a small lived-in world — Alice, Bob and
//! Carol, friends, a direct chat (photos, a PDF, a voice message), a group (with a video), and Alice's File Transfer —
//! through the public API, as the apps would. Does nothing when the demo people already exist.

mod api;
mod mini_program;
mod pictures;

use serde_json::json;
use xin_proto::Content;

use api::{Api, Person, PASSWORD, PAYMENT_PIN};

type Result<T> = std::result::Result<T, String>;

/// Bob's voice message (see `assets/README.md` for how it was recorded).
const VOICE: &[u8] = include_bytes!("../assets/voice.webm");
/// Carol's video and its first frame (see `assets/README.md`).
const VIDEO: &[u8] = include_bytes!("../assets/video.webm");
const VIDEO_THUMB: &[u8] = include_bytes!("../assets/video-thumb.jpg");

/// The sample mini-program's backend: where it listens, and where its configuration goes.
struct Coffee {
    url: String,
    out: Option<std::path::PathBuf>,
}

async fn seed(api: &Api, coffee: &Coffee) -> Result<()> {
    let Some(alice) = api.register("alice", "+8613800000001", "Alice").await? else {
        if let Some(out) = &coffee.out {
            mini_program::reconfigure(api, &coffee.url, out).await?;
        }
        println!("xin-demo: the demo world is already there (alice / {PASSWORD})");
        println!("{}", sign_in_steps(&api.base));
        return Ok(());
    };
    let bob = api
        .register("bob", "+8613800000002", "Bob")
        .await?
        .ok_or("bob exists but alice did not")?;
    let carol = api
        .register("carol", "+8613800000003", "Carol")
        .await?
        .ok_or("carol exists but alice did not")?;
    api.befriend(&bob, &alice, "Hi Alice, it's Bob from the climbing gym")
        .await?;
    api.befriend(&carol, &alice, "Carol here 👋").await?;
    api.befriend(&carol, &bob, "Hey Bob!").await?;

    let direct = api
        .post(&alice, "/conversations/direct", json!({"with": bob.id}))
        .await?;
    let direct = direct["id"].as_str().ok_or("no direct chat")?.to_string();
    api.say(&bob, &direct, "Morning! Photos from Saturday's climb 🧗")
        .await?;
    api.photo(
        &bob,
        &direct,
        pictures::mountains(1600, 1067),
        "IMG_2041.jpg",
    )
    .await?;
    api.photo(&bob, &direct, pictures::sunset(1200, 1600), "IMG_2057.jpg")
        .await?;
    api.say(&alice, &direct, "Wow, that light on the ridge!")
        .await?;
    // Calls: Alice's video call came at a bad time and Bob declined it; he rang back by voice.
    let declined = api
        .post(&alice, "/calls", json!({"callee": bob.id, "kind": "video"}))
        .await?;
    let declined = declined["id"].as_str().ok_or("no call")?.to_string();
    api.post(&bob, &format!("/calls/{declined}/decline"), json!({}))
        .await?;
    let rang = api
        .post(&bob, "/calls", json!({"callee": alice.id, "kind": "voice"}))
        .await?;
    let rang = rang["id"].as_str().ok_or("no call")?.to_string();
    api.post(&alice, &format!("/calls/{rang}/accept"), json!({}))
        .await?;
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    api.post(&bob, &format!("/calls/{rang}/hangup"), json!({}))
        .await?;
    api.file(
        &alice,
        &direct,
        "Climbing trip plan.pdf",
        pictures::PLAN_PDF.as_bytes(),
        "application/pdf",
    )
    .await?;
    api.say(
        &bob,
        &direct,
        "Thanks, printed it. See you at 9 on Saturday",
    )
    .await?;
    let voice = api.upload(&bob, VOICE, "voice.webm").await?;
    api.send(
        &bob,
        &direct,
        Content::Voice {
            blob: voice,
            duration_ms: 3000,
            waveform: (0..32u32).map(|i| (60 + (i * 37 % 190)) as u8).collect(),
        },
    )
    .await?;

    let group = api
        .post(
            &carol,
            "/conversations",
            json!({"title": "Weekend climbers", "members": [alice.id, bob.id]}),
        )
        .await?;
    let group = group["id"].as_str().ok_or("no group")?.to_string();
    api.say(&carol, &group, "Who's in for Sunday?").await?;
    api.say(&bob, &group, "Me! Bringing the new rope").await?;
    api.photo(&carol, &group, pictures::sunset(1400, 933), "crag.jpg")
        .await?;
    api.say(&alice, &group, "Count me in 🙌").await?;
    let thumbnail = api.upload(&carol, VIDEO_THUMB, "video-thumb.jpg").await?;
    let video = api.upload(&carol, VIDEO, "Last weekend.webm").await?;
    api.send(
        &carol,
        &group,
        Content::Video {
            blob: video,
            thumbnail: Some(thumbnail),
            duration_ms: 4000,
            width: 480,
            height: 270,
            name: "Last weekend.webm".into(),
        },
    )
    .await?;
    api.say(&carol, &group, "Last weekend's lead, in fractals 😄")
        .await?;

    // Money: everyone has a (sandbox) balance; Alice paid Bob back for the rope and Bob took
    // it; Bob's share of the hut waits for Alice to accept.
    api.fund(&alice, 128_800).await?;
    api.fund(&bob, 52_000).await?;
    api.fund(&carol, 30_000).await?;
    let paid = api
        .transfer(&alice, &direct, 4_500, "Half the new rope 🧗")
        .await?;
    api.post(&bob, &format!("/wallet/transfers/{paid}/accept"), json!({}))
        .await?;
    api.say(&bob, &direct, "Got it, thanks!").await?;
    api.transfer(&bob, &direct, 8_888, "Hut on Saturday")
        .await?;
    // A lucky red envelope in the group: Bob was quick, one share is left for Alice.
    let envelope = api
        .post(
            &carol,
            "/wallet/envelopes",
            json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "conversation_id": group,
                   "kind": "lucky", "amount_fen": 2_000, "shares": 2, "note": "Sunday's coffee ☕", "pin": PAYMENT_PIN}),
        )
        .await?;
    let envelope = envelope["id"].as_str().ok_or("no envelope")?.to_string();
    api.post(
        &bob,
        &format!("/wallet/envelopes/{envelope}/grab"),
        json!({}),
    )
    .await?;

    // QR payments: Alice paid the café at the crag by scanning its receive code; Carol paid
    // Alice back for chalk by scanning hers.
    let cafe = api
        .register("summit_coffee", "+8613800000009", "Summit Coffee")
        .await?
        .ok_or("summit_coffee exists but alice did not")?;
    api.pay(&alice, &cafe, 1_800, "Flat white").await?;
    api.pay(&carol, &alice, 2_500, "Chalk 🧗").await?;

    // Moments: Carol's evening at the crag (Alice liked it, Bob and Alice commented) and
    // Alice's packing photo (Bob liked it).
    let crag = pictures::Prepared::of(pictures::sunset(1200, 800))?;
    let crag = api.upload(&carol, &crag.jpeg, "crag.jpg").await?;
    let post = api
        .post(
            &carol,
            "/moments",
            json!({"text": "Sunset at the crag after the last route 🧗‍♀️", "images": [crag.hash], "visibility": "all"}),
        )
        .await?;
    let post = post["id"].as_str().ok_or("no post")?.to_string();
    api.call(
        &alice,
        reqwest::Method::PUT,
        &format!("/moments/{post}/like"),
        json!({}),
    )
    .await?;
    api.post(
        &bob,
        &format!("/moments/{post}/comments"),
        json!({"text": "That light! Same time next week?"}),
    )
    .await?;
    api.post(
        &alice,
        &format!("/moments/{post}/comments"),
        json!({"text": "I'm in 🙌"}),
    )
    .await?;
    let peaks = pictures::Prepared::of(pictures::mountains(1200, 900))?;
    let peaks = api.upload(&alice, &peaks.jpeg, "peaks.jpg").await?;
    let post = api
        .post(
            &alice,
            "/moments",
            json!({"text": "Packing list done. Weekend, here we come ⛰️", "images": [peaks.hash], "visibility": "all"}),
        )
        .await?;
    let post = post["id"].as_str().ok_or("no post")?.to_string();
    api.call(
        &bob,
        reqwest::Method::PUT,
        &format!("/moments/{post}/like"),
        json!({}),
    )
    .await?;

    // Bob shares a route guide (a link card); Carol likes it. Alice tags her climbing friends
    // and posts only for them; Carol comments, so Alice has messages waiting in Moments.
    let guide = pictures::Prepared::of(pictures::mountains(600, 400))?;
    let guide = api.upload(&bob, &guide.jpeg, "guide.jpg").await?;
    let post = api
        .post(
            &bob,
            "/moments",
            json!({"text": "The route guide for next weekend 📖", "visibility": "all", "link": {
                "url": "https://en.wikipedia.org/wiki/Yangshuo_County",
                "title": "Yangshuo: limestone towers and 900 sport routes",
                "description": "Where to climb, when to go, and how to get there.",
                "image": guide.hash}}),
        )
        .await?;
    let post = post["id"].as_str().ok_or("no post")?.to_string();
    api.call(
        &carol,
        reqwest::Method::PUT,
        &format!("/moments/{post}/like"),
        json!({}),
    )
    .await?;
    for friend in [&bob, &carol] {
        api.call(
            &alice,
            reqwest::Method::PUT,
            &format!("/contacts/{}/tags", friend.id),
            json!({"tags": ["Climbing"]}),
        )
        .await?;
    }
    let post = api
        .post(
            &alice,
            "/moments",
            json!({"text": "Climbers only: who has a spare 70 m rope?", "visibility": "only", "tags": ["Climbing"]}),
        )
        .await?;
    let post = post["id"].as_str().ok_or("no post")?.to_string();
    api.post(
        &carol,
        &format!("/moments/{post}/comments"),
        json!({"text": "Mine is yours 🙂"}),
    )
    .await?;

    // Official accounts: Carol runs "Crag Daily" (a subscription account) and the café a
    // service account; Alice and Bob follow both, and each has sent a broadcast.
    let daily = api
        .post(
            &carol,
            "/official-accounts",
            json!({"handle": "crag_daily", "name": "Crag Daily", "intro": "Routes, gear and weather for climbers.", "kind": "subscription"}),
        )
        .await?;
    let daily = daily["id"].as_str().ok_or("no account")?.to_string();
    let cover = pictures::Prepared::of(pictures::sunset(900, 500))?;
    let cover = api.upload(&carol, &cover.jpeg, "cover.jpg").await?;
    let topo = pictures::Prepared::of(pictures::mountains(800, 500))?;
    let topo = api.upload(&carol, &topo.jpeg, "topo.jpg").await?;
    let mut articles = Vec::new();
    for (title, digest, body) in [
        ("Five sunset crags within an hour of town", "Warm rock, short approaches, and where to eat after.",
         format!("<h2>Why sunset?</h2><p>In spring the west faces stay warm until dark. These five crags are all <strong>under an hour</strong> away.</p><img src=\"xin-blob:{}\" alt=\"Topo\"><h2>The list</h2><ol><li>Moon Hill — 6a to 7b</li><li>White Mountain — long 6s</li><li>Butterfly Spring — steep and short</li></ol><p>Bring a headlamp for the walk out.</p>", topo.hash)),
        ("Rope care: when to retire a rope", "Falls, core shots and age: a simple checklist.",
         "<p>Check the sheath after every trip. Retire a rope after a <em>core shot</em>, a hard fall onto an edge, or ten years, whichever comes first.</p>".to_string()),
    ] {
        let a = api
            .post(
                &carol,
                &format!("/official-accounts/{daily}/articles"),
                json!({"title": title, "digest": digest, "author": "Carol", "body_html": body, "cover": cover.hash}),
            )
            .await?;
        articles.push(a["id"].as_str().ok_or("no article")?.to_string());
    }
    let cafe_desk = api
        .post(
            &carol,
            "/official-accounts",
            json!({"handle": "summit_cafe", "name": "Summit Coffee", "intro": "Coffee at the foot of the crag.", "kind": "service"}),
        )
        .await?;
    let cafe_desk = cafe_desk["id"].as_str().ok_or("no account")?.to_string();
    // Both wear a picture, as real accounts do.
    for (account, name, intro, picture) in [
        (
            &daily,
            "Crag Daily",
            "Routes, gear and weather for climbers.",
            pictures::mountains(256, 256),
        ),
        (
            &cafe_desk,
            "Summit Coffee",
            "Coffee at the foot of the crag.",
            pictures::sunset(256, 256),
        ),
    ] {
        let picture = pictures::Prepared::of(picture)?;
        let avatar = api.upload(&carol, &picture.jpeg, "avatar.jpg").await?;
        api.call(
            &carol,
            reqwest::Method::PUT,
            &format!("/official-accounts/{account}"),
            json!({"name": name, "intro": intro, "avatar": avatar.hash}),
        )
        .await?;
    }
    let offer = api
        .post(
            &carol,
            &format!("/official-accounts/{cafe_desk}/articles"),
            json!({"title": "Climbers' breakfast: 20% off before 9", "digest": "Show your chalk bag.", "body_html": "<p>Every weekend before 9 am: <strong>20% off</strong> breakfast for climbers.</p>"}),
        )
        .await?;
    let offer = offer["id"].as_str().ok_or("no article")?.to_string();
    // The café answers by itself: a welcome, opening hours on a keyword (and its menu), and a
    // default reply; its menu also opens its offer and its map.
    api.call(
        &carol,
        reqwest::Method::PUT,
        &format!("/official-accounts/{cafe_desk}/auto-replies"),
        json!({"on_follow": "Welcome to Summit Coffee ☕ Tap Visit for our hours.",
               "keywords": [{"keyword": "hours", "reply": "Open 7 am – 7 pm every day, 6 am on weekends for early climbers."}],
               "default": "Thanks for your message! A barista will answer soon."}),
    )
    .await?;
    for who in [&alice, &bob] {
        for account in [&daily, &cafe_desk] {
            api.call(
                who,
                reqwest::Method::PUT,
                &format!("/official-accounts/{account}/follow"),
                json!({}),
            )
            .await?;
        }
    }
    api.post(
        &carol,
        &format!("/official-accounts/{cafe_desk}/broadcasts"),
        json!({"articles": [offer]}),
    )
    .await?;
    api.post(
        &carol,
        &format!("/official-accounts/{daily}/broadcasts"),
        json!({"articles": articles}),
    )
    .await?;

    let coffee_app = mini_program::seed(
        api,
        &carol,
        &alice,
        &cafe_desk,
        &coffee.url,
        coffee.out.as_deref(),
    )
    .await?;
    // Its menu opens its offer, its map and its mini-program.
    api.call(
        &carol,
        reqwest::Method::PUT,
        &format!("/official-accounts/{cafe_desk}/menu"),
        json!({"menus": [
            {"name": "Visit", "items": [
                {"name": "Opening hours", "action": {"type": "keyword", "keyword": "hours"}},
                {"name": "Map", "action": {"type": "link", "url": "https://www.openstreetmap.org/search?query=Yangshuo"}}]},
            {"name": "Offers", "items": [
                {"name": "Breakfast offer", "action": {"type": "article", "article_id": offer}}]},
            {"name": "Order", "items": [
                {"name": "Order ahead", "action": {"type": "mini_program", "mini_program_id": coffee_app}}]}]}),
    )
    .await?;

    let notes = api.post(&alice, "/conversations/self", json!({})).await?;
    let notes = notes["id"].as_str().ok_or("no File Transfer")?.to_string();
    // Alice kept Sunday's plan from the group: a merged forward, a card that opens into it.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let said = |sender: &str, text: &str, ago_min: i64| xin_proto::HistoryItem {
        sender_name: sender.into(),
        created_at: now - ago_min * 60_000,
        content: Content::Text {
            text: text.into(),
            mentions: Vec::new(),
            mention_all: false,
        },
    };
    api.send(
        &alice,
        &notes,
        Content::History {
            title: "Chat history of Weekend climbers".into(),
            items: vec![
                said("Carol", "Who's in for Sunday?", 30),
                said("Bob", "Me! Bringing the new rope", 28),
                said("Alice", "Count me in 🙌", 25),
            ],
        },
    )
    .await?;
    api.file(
        &alice,
        &notes,
        "Packing list.txt",
        pictures::PACKING_LIST.as_bytes(),
        "text/plain",
    )
    .await?;
    api.photo(
        &alice,
        &notes,
        pictures::mountains(1200, 900),
        "Screenshot 2026-11-21.png",
    )
    .await?;
    println!(
        "xin-demo: seeded Alice, Bob and Carol (password {PASSWORD}, payment PIN {PAYMENT_PIN}) with chats, photos, files, money, Moments, official accounts and the Summit Coffee mini-program"
    );
    println!("{}", sign_in_steps(&api.base));
    Ok(())
}

/// How a newcomer signs the desktop in as a demo user (printed after seeding, and again when
/// the world is already there).
fn sign_in_steps(base: &str) -> String {
    format!(
        "xin-demo: to sign the desktop in as Alice:\n  1. open {base}/m/ on a phone on the same network (or in a browser) and log in as alice / {PASSWORD}\n  2. tap Scan and point the camera at the desktop's QR code\n  3. tap the number the desktop shows"
    )
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let mut base = "http://127.0.0.1:7420".to_string();
    let mut coffee = Coffee {
        url: "http://127.0.0.1:7431".into(),
        out: None,
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--server" => base = args.next().unwrap_or(base),
            "--coffee-url" => coffee.url = args.next().unwrap_or(coffee.url),
            "--coffee-out" => coffee.out = args.next().map(Into::into),
            _ => {}
        }
    }
    let api = Api {
        http: reqwest::Client::new(),
        base: base.trim_end_matches('/').to_string(),
    };
    match seed(&api, &coffee).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xin-demo: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
