#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Mini-programs through the engine: a package runs only after its signature checks out (a
//! copy changed on disk is fetched again, a server whose key changed is refused), and each
//! mini-program's storage is its own.
mod common;

use std::io::Write;

use common::*;
use serde_json::json;
use uuid::Uuid;

fn png() -> Vec<u8> {
    let mut out = Vec::new();
    image::RgbaImage::from_pixel(8, 8, image::Rgba([111, 78, 55, 255]))
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn package(id: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let manifest = json!({"id": id, "name": id, "icon": "icon.png", "version": "1.0.0", "pages": ["index.html"]});
    for (name, bytes) in [
        ("app.json", manifest.to_string().into_bytes()),
        ("icon.png", png()),
        ("index.html", format!("<!doctype html><p>{id}").into_bytes()),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn packages_are_verified_and_storage_is_per_mini_program() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let desk = alice
        .phone_post(
            "/official-accounts",
            json!({"handle": "cragdesk", "name": "Crag desk", "kind": "service"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut ids = Vec::new();
    for app in ["crag-notes", "crag-games"] {
        let mp = alice
            .phone_upload(
                &format!("/official-accounts/{desk}/mini-programs"),
                package(app),
                "application/zip",
            )
            .await;
        ids.push(mp["id"].as_str().unwrap().parse::<Uuid>().unwrap());
    }
    let (notes, games) = (ids[0], ids[1]);

    let opened = bob.engine.open_mini_program(notes).await.unwrap();
    assert_eq!(opened.manifest.id, "crag-notes");
    let home = xin_core::mini_programs::package_file(&opened.package, "index.html")
        .unwrap()
        .unwrap();
    assert_eq!(home, b"<!doctype html><p>crag-notes");
    // Opened, it is among Bob's recent ones.
    let mine = bob.engine.mini_programs(None).await.unwrap();
    assert_eq!(mine.iter().map(|m| m.id).collect::<Vec<_>>(), vec![notes]);

    // A copy changed on disk fails its check and is fetched again before it runs.
    let mut bytes = std::fs::read(&opened.package).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0xff;
    std::fs::write(&opened.package, &bytes).unwrap();
    let again = bob.engine.open_mini_program(notes).await.unwrap();
    let restored = blake3::hash(&std::fs::read(&again.package).unwrap());
    assert_eq!(
        restored.to_hex().as_str(),
        again.program.release.hash,
        "the published bytes again"
    );

    // Each mini-program's storage is its own; Clear data empties one only.
    let (a, b) = (
        bob.engine.mini_program_storage(notes).await.unwrap(),
        bob.engine.mini_program_storage(games).await.unwrap(),
    );
    a.set("session".into(), "notes-secret".into()).unwrap();
    b.set("score".into(), "42".into()).unwrap();
    assert_eq!(
        b.get("session").unwrap(),
        None,
        "games cannot read notes' storage"
    );
    assert_eq!(a.keys().unwrap(), vec!["session".to_string()]);
    // More than 10 MiB is refused, and what was there stays.
    let big = "x".repeat(11 << 20);
    assert!(a.set("big".into(), big).is_err());
    assert_eq!(a.get("session").unwrap().as_deref(), Some("notes-secret"));
    bob.engine.clear_mini_program_data(notes).await.unwrap();
    assert!(a.keys().unwrap().is_empty());
    assert_eq!(b.get("score").unwrap().as_deref(), Some("42"));

    // The server's key is pinned: a different one (as a substituted server would present) is
    // refused and nothing runs.
    let pinned = bob.data_dir().join("mini-programs/signing-key");
    std::fs::write(&pinned, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").unwrap();
    let refused = bob.engine.open_mini_program(games).await.unwrap_err();
    assert!(
        refused.to_string().contains("signing key changed"),
        "{refused}"
    );
}
