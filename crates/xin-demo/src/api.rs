//! The demo's client of Xin's public API: the requests a phone or desktop would make, as the
//! demo people.

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{json, Value};
use xin_proto::{BlobRef, Content};

use crate::Result;

pub(crate) const PASSWORD: &str = "xin-demo-pass";

/// The demo people's payment PIN.
pub(crate) const PAYMENT_PIN: &str = "123456";

pub(crate) struct Person {
    pub(crate) id: String,
    pub(crate) access: String,
}

pub(crate) struct Api {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Api {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    pub(crate) async fn call(
        &self,
        who: &Person,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> Result<Value> {
        let resp = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&who.access)
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{path}: HTTP {status}: {text}"));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A sandbox card, the demo PIN and `fen` topped up.
    pub(crate) async fn fund(&self, who: &Person, fen: i64) -> Result<()> {
        let card = self
            .post(who, "/wallet/cards", json!({"number": "6222020000000007"}))
            .await?;
        self.call(
            who,
            reqwest::Method::PUT,
            "/wallet/pin",
            json!({"pin": PAYMENT_PIN}),
        )
        .await?;
        self.post(
            who,
            "/wallet/top-up",
            json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "card_id": card["id"], "amount_fen": fen}),
        )
        .await?;
        Ok(())
    }

    /// A transfer in a direct chat; answers its id.
    pub(crate) async fn transfer(
        &self,
        who: &Person,
        conv: &str,
        fen: i64,
        note: &str,
    ) -> Result<String> {
        let t = self
            .post(
                who,
                "/wallet/transfers",
                json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "conversation_id": conv,
                       "amount_fen": fen, "note": note, "pin": PAYMENT_PIN}),
            )
            .await?;
        t["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("transfer: {t}"))
    }

    /// A payment as after scanning `to`'s receive code.
    pub(crate) async fn pay(&self, who: &Person, to: &Person, fen: i64, note: &str) -> Result<()> {
        self.post(
            who,
            "/wallet/payments",
            json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "payee_id": to.id,
                   "amount_fen": fen, "note": note, "pin": PAYMENT_PIN}),
        )
        .await
        .map(|_| ())
    }

    pub(crate) async fn post(&self, who: &Person, path: &str, body: Value) -> Result<Value> {
        self.call(who, reqwest::Method::POST, path, body).await
    }

    /// A new account, or `None` when it exists already (the world was seeded before).
    pub(crate) async fn register(
        &self,
        handle: &str,
        phone: &str,
        name: &str,
    ) -> Result<Option<Person>> {
        let resp = self
            .http
            .post(self.url("/accounts"))
            .json(&json!({"handle": handle, "phone": phone, "display_name": name, "password": PASSWORD,
                "device": {"name": "Demo seed", "kind": "phone", "os": "xin-demo", "app_version": xin_proto::APP_VERSION}}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if resp.status() == StatusCode::CONFLICT {
            return Ok(None);
        }
        let v: Value = resp.json().await.map_err(|e| e.to_string())?;
        let field = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
        match (field("/user/id"), field("/access_token")) {
            (Some(id), Some(access)) => Ok(Some(Person { id, access })),
            _ => Err(format!("register {handle}: {v}")),
        }
    }

    /// Signs an existing demo user in (a world seeded before).
    pub(crate) async fn sign_in(&self, handle: &str) -> Result<Person> {
        let v: Value = self
            .http
            .post(self.url("/sessions"))
            .json(&json!({"login": handle, "password": PASSWORD,
                "device": {"name": "Demo seed", "kind": "phone", "os": "xin-demo", "app_version": xin_proto::APP_VERSION}}))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let field = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
        match (field("/user/id"), field("/access_token")) {
            (Some(id), Some(access)) => Ok(Person { id, access }),
            _ => Err(format!("sign in {handle}: {v}")),
        }
    }

    pub(crate) async fn befriend(&self, a: &Person, b: &Person, greeting: &str) -> Result<()> {
        let req = self
            .post(
                a,
                "/friend-requests",
                json!({"to": b.id, "greeting": greeting}),
            )
            .await?;
        let id = req["id"].as_str().ok_or("friend request without id")?;
        self.post(
            b,
            &format!("/friend-requests/{id}/answer"),
            json!({"accept": true}),
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn send(&self, who: &Person, conv: &str, content: Content) -> Result<()> {
        let content = serde_json::to_value(content).map_err(|e| e.to_string())?;
        self.post(
            who,
            &format!("/conversations/{conv}/messages"),
            json!({"client_id": uuid::Uuid::now_v7(), "content": content}),
        )
        .await
        .map(|_| ())
    }

    pub(crate) async fn say(&self, who: &Person, conv: &str, text: &str) -> Result<()> {
        self.send(
            who,
            conv,
            Content::Text {
                text: text.into(),
                mentions: vec![],
                mention_all: false,
            },
        )
        .await
    }

    /// One tus upload, in 4 MiB chunks each with its BLAKE3.
    pub(crate) async fn upload(&self, who: &Person, bytes: &[u8], name: &str) -> Result<BlobRef> {
        let hash = blake3::hash(bytes).to_hex().to_string();
        let created = self
            .http
            .post(self.url("/uploads"))
            .bearer_auth(&who.access)
            .header("tus-resumable", "1.0.0")
            .header("upload-length", bytes.len().to_string())
            .header(
                "upload-metadata",
                format!(
                    "filename {},blake3 {}",
                    b64(name.as_bytes()),
                    b64(hash.as_bytes())
                ),
            )
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let created: Value = created.json().await.map_err(|e| e.to_string())?;
        if let Some(location) = created["location"].as_str() {
            let mut offset = 0;
            for chunk in bytes.chunks(4 << 20) {
                let resp = self
                    .http
                    .patch(format!("{}{location}", self.base))
                    .bearer_auth(&who.access)
                    .header("tus-resumable", "1.0.0")
                    .header("content-type", xin_proto::OFFSET_OCTET_STREAM)
                    .header("upload-offset", offset.to_string())
                    .header(
                        "upload-checksum",
                        format!("blake3 {}", b64(blake3::hash(chunk).as_bytes())),
                    )
                    .body(chunk.to_vec())
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if !resp.status().is_success() {
                    return Err(format!("upload {name}: HTTP {}", resp.status()));
                }
                offset += chunk.len();
            }
        }
        Ok(BlobRef {
            hash,
            size: bytes.len() as u64,
        })
    }

    pub(crate) async fn photo(
        &self,
        who: &Person,
        conv: &str,
        img: image::RgbImage,
        name: &str,
    ) -> Result<()> {
        let picture = crate::pictures::Prepared::of(img)?;
        let thumbnail = self
            .upload(who, &picture.thumbnail, "thumbnail.jpg")
            .await?;
        let blob = self.upload(who, &picture.jpeg, name).await?;
        self.send(
            who,
            conv,
            Content::Image {
                blob,
                width: picture.width,
                height: picture.height,
                thumbnail: Some(thumbnail),
                placeholder: picture.placeholder,
            },
        )
        .await
    }

    pub(crate) async fn file(
        &self,
        who: &Person,
        conv: &str,
        name: &str,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<()> {
        let blob = self.upload(who, bytes, name).await?;
        self.send(
            who,
            conv,
            Content::File {
                blob,
                name: name.into(),
                media_type: media_type.into(),
            },
        )
        .await
    }
}
