//! Errors in the reader's language. Handlers word their `invalid_request` rules (and a
//! mini-program package's faults) in English; a client whose `Accept-Language` prefers Chinese
//! gets them in Chinese. The other codes are said by the clients from the code itself, so only
//! these rules, whose words say which field or file broke which rule, need words here.
//!
//! The catalogue (`locales/errors.zh-CN.json`) is keyed by the very format strings the code
//! words these errors with, placeholders included; a message is matched against those templates
//! and its values — themselves reworded when they are rules — carried into the Chinese one.

use std::sync::LazyLock;

use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};
use regex::Regex;
use xin_proto::{ErrorBody, ErrorCode};

const CATALOGUE: &str = include_str!("../locales/errors.zh-CN.json");

/// The codes whose messages are reworded.
const WORDED_HERE: [ErrorCode; 2] = [ErrorCode::InvalidRequest, ErrorCode::InvalidPackage];

/// An error body is a sentence or two; anything bigger is not one.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// One rule's English template, as a pattern that captures its values, and its Chinese.
struct Rule {
    pattern: Regex,
    /// The English template's placeholders in order.
    names: Vec<String>,
    chinese: String,
}

/// A template's fixed words and its placeholders (`{name}`, or `{}` numbered "0", "1", … by
/// position among the unnamed ones). Templates never escape braces.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Words(&'a str),
    Value(String),
}

fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let (mut rest, mut unnamed) = (template, 0);
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + len];
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(Piece::Words(&rest[..=open]));
            rest = &rest[open + 1..];
            continue;
        }
        out.push(Piece::Words(&rest[..open]));
        out.push(Piece::Value(if name.is_empty() {
            unnamed += 1;
            (unnamed - 1).to_string()
        } else {
            name.to_string()
        }));
        rest = &rest[open + len + 1..];
    }
    out.push(Piece::Words(rest));
    out
}

/// The placeholders' names in order.
pub fn placeholders(template: &str) -> Vec<String> {
    pieces(template)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Value(name) => Some(name),
            Piece::Words(_) => None,
        })
        .collect()
}

fn rule(english: &str, chinese: &str) -> Option<Rule> {
    let mut pattern = String::from("^");
    for piece in pieces(english) {
        match piece {
            Piece::Words(w) => pattern.push_str(&regex::escape(w)),
            Piece::Value(_) => pattern.push_str("(.*?)"),
        }
    }
    pattern.push('$');
    Some(Rule {
        pattern: Regex::new(&pattern).ok()?,
        names: placeholders(english),
        chinese: chinese.to_string(),
    })
}

/// How many fixed characters a template has: the more, the more specific.
fn fixed_len(template: &str) -> usize {
    pieces(template)
        .iter()
        .map(|p| match p {
            Piece::Words(w) => w.chars().count(),
            Piece::Value(_) => 0,
        })
        .sum()
}

/// The rules, the most specific (most fixed words) first, so `{field}: an http or https
/// address` is not taken for `webhook_url: {e}`.
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let entries: Vec<(String, String)> = serde_json::from_str::<serde_json::Map<_, _>>(CATALOGUE)
        .map(|m| {
            m.into_iter()
                .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let mut rules: Vec<(usize, Rule)> = entries
        .iter()
        .filter_map(|(en, zh)| Some((fixed_len(en), rule(en, zh)?)))
        .collect();
    rules.sort_by_key(|r| std::cmp::Reverse(r.0));
    rules.into_iter().map(|(_, r)| r).collect()
});

/// The catalogue's entries, for the test that every rule in the code has its Chinese.
pub fn catalogue() -> Vec<String> {
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(CATALOGUE)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// An English rule in Chinese; a message no rule matches stays as it is.
pub fn to_chinese(message: &str) -> String {
    for r in RULES.iter() {
        let Some(caps) = r.pattern.captures(message) else {
            continue;
        };
        let mut out = String::new();
        for piece in pieces(&r.chinese) {
            match piece {
                Piece::Words(w) => out.push_str(w),
                Piece::Value(name) => {
                    let value = r
                        .names
                        .iter()
                        .position(|n| *n == name)
                        .and_then(|i| caps.get(i + 1))
                        .map_or("", |v| v.as_str());
                    // A package's fault inside "not a valid package: …" is a rule too. Every
                    // template has fixed words, so a value is shorter than its message.
                    if value.len() < message.len() {
                        out.push_str(&to_chinese(value));
                    } else {
                        out.push_str(value);
                    }
                }
            }
        }
        return out;
    }
    message.to_string()
}

/// The first language the client names that Xin speaks decides.
fn wants_chinese(req: &Request) -> bool {
    let Some(header) = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    accept_language::parse(header)
        .iter()
        .map(|l| l.to_ascii_lowercase())
        .find(|l| l.starts_with("zh") || l.starts_with("en"))
        .is_some_and(|l| l.starts_with("zh"))
}

/// Middleware: rewords an `invalid_request` or `invalid_package` answer for a client that
/// reads Chinese.
pub async fn speak(req: Request, next: Next) -> Response {
    let chinese = wants_chinese(&req);
    let response = next.run(req).await;
    if !chinese || !response.status().is_client_error() {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut error) = serde_json::from_slice::<ErrorBody>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if !WORDED_HERE.contains(&error.error.code) {
        return Response::from_parts(parts, Body::from(bytes));
    }
    error.error.message = to_chinese(&error.error.message);
    let Ok(json) = serde_json::to_vec(&error) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static("zh-CN"));
    Response::from_parts(parts, Body::from(json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_carry_their_values_into_chinese() {
        assert_eq!(to_chinese("pin: exactly 6 digits"), "pin：须为 6 位数字");
        assert_eq!(
            to_chinese("title: 1–64 characters on one line"),
            "title：1–64 个字符，不能换行"
        );
        assert_eq!(
            to_chinese("amount_fen, shares: up to ¥200.00 in 1–100 shares of at least ¥0.01; a normal envelope's shares are equal"),
            "amount_fen、shares：最多 ¥200.00，分成 1–100 份，每份至少 ¥0.01；普通红包每份金额相同"
        );
        assert_eq!(
            to_chinese("tags: you have no contact tagged \"climbing\""),
            "tags：你没有标签为“climbing”的联系人"
        );
        assert_eq!(
            to_chinese("This is not a valid mini-program package: pages: a.txt is not an HTML file in the package."),
            "这不是有效的小程序包：pages：a.txt 不是包中的 HTML 文件。"
        );
        // A message no rule knows stays as it was.
        assert_eq!(to_chinese("something new"), "something new");
    }

    #[test]
    fn every_entry_is_a_working_rule_with_the_same_placeholders() -> Result<(), serde_json::Error> {
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(CATALOGUE)?;
        assert_eq!(RULES.len(), map.len(), "every entry makes a rule");
        for (en, zh) in map {
            let Some(zh) = zh.as_str() else {
                panic!("{en:?}: its Chinese is not a string");
            };
            let mut a = placeholders(&en);
            let mut b = placeholders(zh);
            a.sort();
            b.sort();
            assert_eq!(a, b, "{en:?} and its Chinese name different values");
            assert!(fixed_len(&en) > 0, "{en:?} has no words of its own");
        }
        Ok(())
    }
}
