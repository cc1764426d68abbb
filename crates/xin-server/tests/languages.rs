//! The server words its `invalid_request` and `invalid_package` rules in the reader's language.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The format strings that follow `before` (a call's opening), read out of Rust source.
fn templates_in(code: &str, before: &str) -> Vec<String> {
    let pattern = format!(r#"{before}\s*(?:format!\(\s*)?"((?:[^"\\]|\\.)*)""#);
    regex::Regex::new(&pattern)
        .expect("a pattern")
        .captures_iter(code)
        .map(|c| c[1].replace("\\\"", "\"").replace("\\\\", "\\"))
        .collect()
}

/// Every rule the server can answer `invalid_request` or `invalid_package` with has its
/// Chinese: the format strings are read out of the source and looked up in the catalogue.
#[test]
fn every_rule_in_the_code_has_its_chinese() {
    let catalogue = xin_server::language::catalogue();
    let mut found = 0;
    let mut missing = Vec::new();
    let mut check = |path: &std::path::Path, templates: Vec<String>| {
        for template in templates {
            found += 1;
            if !catalogue.contains(&template) {
                missing.push(format!("{}: {template}", path.display()));
            }
        }
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // A manifest's faults are worded in xin-proto, for the desktop and the server alike.
    let manifest = root.join("../xin-proto/src/mini_program.rs");
    let code = std::fs::read_to_string(&manifest).expect("xin-proto's manifest rules");
    check(&manifest, templates_in(&code, r"Err\("));
    let mut dirs = vec![root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).expect("the source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let code = std::fs::read_to_string(&path).expect("a source file");
            // `ApiError::invalid(…)`, the package checker's own `invalid(…)`, and its wrapper.
            check(&path, templates_in(&code, r"\binvalid\("));
            check(&path, templates_in(&code, r"ErrorCode::InvalidPackage,"));
        }
    }
    assert!(
        found > 110,
        "only {found} rules found: is the pattern still right?"
    );
    assert!(
        missing.is_empty(),
        "no Chinese for:\n{}",
        missing.join("\n")
    );
}

async fn register(s: &TestServer, language: Option<&str>, body: &str) -> (StatusCode, Value) {
    let mut req = s
        .http
        .post(format!("{}/api/v1/accounts", s.url))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(l) = language {
        req = req.header("accept-language", l);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let language = resp
        .headers()
        .get("content-language")
        .map(|v| v.to_str().unwrap().to_string());
    let mut body: Value = resp.json().await.unwrap();
    body["content_language"] = json!(language);
    (status, body)
}

#[tokio::test]
async fn a_chinese_reader_gets_the_rules_in_chinese_and_others_in_english() {
    let s = TestServer::start().await;
    let bad_handle = json!({"handle": "1x", "phone": "13800000001", "display_name": "A",
                            "password": "correct horse", "device": phone_device()})
    .to_string();

    let (status, body) = register(&s, Some("zh-CN,zh;q=0.9,en;q=0.8"), &bad_handle).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_request");
    assert_eq!(
        body["error"]["message"],
        "handle：3–32 个字母、数字或 _，须以字母开头"
    );
    assert_eq!(body["content_language"], "zh-CN");

    // A value inside the rule is carried over.
    let long_name =
        json!({"handle": "alice", "phone": "13800000001", "display_name": "A".repeat(40),
                           "password": "correct horse", "device": phone_device()})
        .to_string();
    let (_, body) = register(&s, Some("zh"), &long_name).await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("display_name："), "{message}");
    assert!(message.contains("32"), "{message}");

    // The body's own faults too.
    let (_, body) = register(&s, Some("zh-TW"), "{not json").await;
    assert_eq!(body["error"]["message"], "请求体不是有效的 JSON。");

    // English first, no header, or only languages Xin does not speak: English.
    for language in [Some("en-US,zh;q=0.5"), None, Some("de-DE")] {
        let (_, body) = register(&s, language, &bad_handle).await;
        assert_eq!(
            body["error"]["message"], "handle: 3–32 letters, digits or _, starting with a letter",
            "{language:?}"
        );
        assert_eq!(body["content_language"], Value::Null);
    }

    // Other codes keep the server's words: clients say those from the code.
    let resp = s
        .http
        .get(format!("{}/api/v1/me", s.url))
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
}
