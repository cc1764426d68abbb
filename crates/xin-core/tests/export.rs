#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Exporting a chat: the whole history (also what a new device never cached), as JSON and as a
//! web page with its photos, with progress events that end in the folder.
mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use xin_core::CoreEvent;

fn png() -> Vec<u8> {
    let mut out = Vec::new();
    image::RgbaImage::from_pixel(16, 12, image::Rgba([20, 140, 90, 255]))
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

#[tokio::test]
async fn a_chat_exports_whole_to_json_and_a_page_with_its_photos() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let conv = alice.chat_with(&bob).await;
    // More than the cache's page, so a fresh device must fetch older history.
    let n = 130;
    for i in 0..n {
        alice.say(conv, &format!("message {i} <b>&</b> 你好")).await;
    }
    let photo = alice.data_dir().join("crag.png");
    std::fs::write(&photo, png()).unwrap();
    alice.engine.send_files(conv, vec![photo]).await.unwrap();
    wait_for("the photo sent", Duration::from_secs(20), async || {
        sent_media(&alice, conv).await.into_iter().next()
    })
    .await;

    // Bob's new laptop: nothing cached but what sync brings.
    let laptop = bob.second_device(&server).await;
    wait_for(
        "the chat on the laptop",
        Duration::from_secs(20),
        async || {
            laptop
                .engine
                .chats()
                .await
                .ok()?
                .into_iter()
                .find(|c| c.conversation.id == conv)
        },
    )
    .await;
    let mut events = laptop.engine.subscribe();
    let folder = laptop.engine.export_chat(conv).await.unwrap();

    let json: Value =
        serde_json::from_slice(&std::fs::read(folder.join("chat.json")).unwrap()).unwrap();
    let texts: Vec<&str> = json["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["content"]["text"].as_str())
        .filter(|t| t.starts_with("message "))
        .collect();
    let want: Vec<String> = (0..n)
        .map(|i| format!("message {i} <b>&</b> 你好"))
        .collect();
    assert_eq!(
        texts,
        want.iter().map(String::as_str).collect::<Vec<_>>(),
        "every message, in order"
    );
    assert_eq!(json["messages"][0]["sender_name"], "Alice");

    let page = std::fs::read_to_string(folder.join("index.html")).unwrap();
    assert!(
        page.contains("message 129 &lt;b&gt;&amp;&lt;/b&gt; 你好"),
        "text escaped"
    );
    assert!(!page.contains("<b>&</b>"));
    let img = page
        .split("<img src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    assert!(img.starts_with("media/") && img.ends_with(".png"), "{img}");
    assert_eq!(
        std::fs::read(folder.join(img)).unwrap(),
        png(),
        "the photo itself"
    );
    assert!(
        folder.starts_with(laptop.data_dir().join("Downloads")),
        "{}",
        folder.display()
    );

    // Progress: from "fetching" to done, the last naming the folder.
    let mut seen = Vec::new();
    while let Ok(e) = events.try_recv() {
        if let CoreEvent::ExportProgress { progress } = e {
            seen.push(progress);
        }
    }
    assert_eq!(seen.first().map(|p| p.total), Some(0));
    let last = seen.last().unwrap();
    assert_eq!(
        (last.done, last.total),
        (
            json["messages"].as_array().unwrap().len() as u32,
            json["messages"].as_array().unwrap().len() as u32
        )
    );
    assert_eq!(
        last.folder.as_deref(),
        Some(folder.display().to_string().as_str())
    );

    // A second export does not overwrite the first.
    let again = laptop.engine.export_chat(conv).await.unwrap();
    assert_ne!(again, folder);
}
