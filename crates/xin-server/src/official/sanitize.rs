//! Article bodies are written as rich HTML in the console and shown inside the desktop and the
//! phone; they pass an allow-list sanitiser (ammonia) here, on the server, before anyone sees
//! them. What survives is inert: no scripts, styles, event handlers, forms or frames; links only
//! to http(s) pages (opened outside, `noopener`); pictures only from Xin's own blobs, written
//! `xin-blob:<hash>`, so a reader never loads remote content.

use std::{collections::HashSet, sync::LazyLock};

use ammonia::{Builder, UrlRelative};
use xin_proto::is_blob_hash;

/// The scheme an article uses for its pictures.
pub const BLOB_SCHEME: &str = "xin-blob:";

static CLEANER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "img",
        "figure",
        "figcaption",
        "pre",
        "code",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "span",
        "section",
        "sub",
        "sup",
    ]
    .into_iter()
    .collect();
    let mut b = Builder::empty();
    b.tags(tags)
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("img", ["src", "alt", "width", "height"])
        .add_tag_attributes("td", ["colspan", "rowspan"])
        .add_tag_attributes("th", ["colspan", "rowspan"])
        .url_schemes(["http", "https", "xin-blob"].into_iter().collect())
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // Pictures only from Xin's blobs; links never to them.
            ("img", "src") => blob_of(value).map(|_| value.into()),
            ("a", "href") if value.starts_with(BLOB_SCHEME) => None,
            _ => Some(value.into()),
        });
    b
});

/// The blob hash an `xin-blob:` address names, if it names one.
pub fn blob_of(src: &str) -> Option<&str> {
    src.strip_prefix(BLOB_SCHEME).filter(|h| is_blob_hash(h))
}

/// The inert form of an article body.
pub fn clean(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

/// The blobs a (clean) body shows.
pub fn pictures(clean_html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = clean_html;
    while let Some(at) = rest.find(BLOB_SCHEME) {
        let tail = &rest[at..];
        let end = tail.find('"').unwrap_or(tail.len());
        if let Some(h) = blob_of(&tail[..end]) {
            if !out.iter().any(|x: &String| x == h) {
                out.push(h.to_string());
            }
        }
        rest = &tail[BLOB_SCHEME.len()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// Hostile inputs and what must not survive in them.
    #[test]
    fn hostile_articles_come_out_inert() {
        let cases: &[(&str, &[&str])] = &[
            ("<p>hi</p><script>alert(1)</script>", &["<script", "alert"]),
            (
                "<img src=x onerror=alert(1)>",
                &["onerror", "alert", "src=\"x\""],
            ),
            ("<a href=\"javascript:alert(1)\">x</a>", &["javascript"]),
            ("<a href=\"JaVaScRiPt:alert(1)\">x</a>", &["alert"]),
            ("<a href=\"data:text/html,<script>\">x</a>", &["data:"]),
            (
                "<img src=\"https://evil.example/track.gif\">",
                &["evil.example"],
            ),
            ("<img src=\"//evil.example/t.gif\">", &["evil.example"]),
            (
                "<p style=\"background:url(https://evil.example/x)\">x</p>",
                &["style", "evil"],
            ),
            (
                "<style>body{background:url(https://evil.example)}</style><p>x</p>",
                &["<style", "evil"],
            ),
            (
                "<link rel=stylesheet href=https://evil.example/a.css>",
                &["<link", "evil"],
            ),
            (
                "<iframe src=https://evil.example></iframe>",
                &["iframe", "evil"],
            ),
            ("<svg><script>alert(1)</script></svg>", &["svg", "alert"]),
            (
                "<form action=https://evil.example><input name=p></form>",
                &["form", "input", "evil"],
            ),
            ("<p onclick=\"steal()\">x</p>", &["onclick", "steal"]),
            (
                "<meta http-equiv=refresh content=\"0;url=https://evil.example\">",
                &["meta", "evil"],
            ),
            (
                "<object data=https://evil.example/x.swf></object>",
                &["object", "evil"],
            ),
            ("<a href=\"xin-blob:0123\">x</a>", &["xin-blob"]),
            ("<base href=https://evil.example/>", &["base", "evil"]),
        ];
        for (input, gone) in cases {
            let out = clean(input);
            for g in *gone {
                assert!(
                    !out.to_ascii_lowercase().contains(&g.to_ascii_lowercase()),
                    "{input} → {out} still has {g}"
                );
            }
        }
    }

    #[test]
    fn what_writers_need_survives() {
        let input = format!(
            "<h2>Routes</h2><p>The <strong>best</strong> <em>crags</em>:</p><ul><li>One</li></ul>\
             <img src=\"xin-blob:{HASH}\" alt=\"Topo\"><a href=\"https://example.org/guide\">guide</a>"
        );
        let out = clean(&input);
        for keep in [
            "<h2>Routes</h2>",
            "<strong>best</strong>",
            "<li>One</li>",
            &format!("src=\"xin-blob:{HASH}\""),
            "href=\"https://example.org/guide\"",
            "rel=\"noopener noreferrer\"",
        ] {
            assert!(out.contains(keep), "{out} lacks {keep}");
        }
        assert_eq!(pictures(&out), [HASH]);
    }
}
