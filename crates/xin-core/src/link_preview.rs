//! The card for a shared web page: the sharer's own computer reads the page (its Open Graph
//! title, description and picture, else its `<title>`), so the server never fetches addresses
//! users type. The picture is uploaded like a photo and travels with the post.

use std::time::Duration;

use reqwest::Url;
use scraper::{Html, Selector};
use xin_proto::{LinkCard, MAX_LINK_DESCRIPTION, MAX_LINK_TITLE, MAX_LINK_URL};

use crate::{
    engine::Engine,
    error::{CoreError, CoreResult},
    web_fetch,
};

/// The most of a page read for its card.
const MAX_PAGE: usize = 1 << 20;
/// The largest picture taken for a card.
const MAX_PICTURE: usize = 5 << 20;
const TIMEOUT: Duration = Duration::from_secs(8);

fn bad_link() -> CoreError {
    CoreError::File("That is not a web address (http:// or https://).".into())
}

fn clip(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(max).collect()
}

/// What a page says about itself: title, description and picture address.
pub fn read_page(html: &str, base: &Url) -> (Option<String>, Option<String>, Option<Url>) {
    let doc = Html::parse_document(html);
    let meta = |keys: &[&str]| -> Option<String> {
        let selector = Selector::parse("meta").ok()?;
        keys.iter().find_map(|key| {
            doc.select(&selector).find_map(|m| {
                let el = m.value();
                let name = el.attr("property").or_else(|| el.attr("name"))?;
                (name.eq_ignore_ascii_case(key))
                    .then(|| el.attr("content"))
                    .flatten()
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
            })
        })
    };
    let title = meta(&["og:title", "twitter:title"]).or_else(|| {
        let selector = Selector::parse("title").ok()?;
        let t = doc.select(&selector).next()?.text().collect::<String>();
        Some(t.trim().to_string()).filter(|t| !t.is_empty())
    });
    let description = meta(&["og:description", "twitter:description", "description"]);
    let image =
        meta(&["og:image", "og:image:url", "twitter:image"]).and_then(|i| base.join(&i).ok());
    (title, description, image)
}

impl Engine {
    /// The card for `url`. A page that cannot be read still gets a card: its address.
    pub async fn link_preview(&self, url: String) -> CoreResult<LinkCard> {
        let url = url.trim();
        let parsed = Url::parse(url).map_err(|_| bad_link())?;
        if !matches!(parsed.scheme(), "http" | "https")
            || parsed.host().is_none()
            || url.len() > MAX_LINK_URL
        {
            return Err(bad_link());
        }
        // The address the user typed may be on their own network (they chose to share it);
        // anything the page leads to elsewhere must be public.
        let typed_host = parsed.host_str().unwrap_or_default().to_string();
        let mut card = LinkCard {
            url: url.to_string(),
            title: clip(
                &format!("{}{}", parsed.host_str().unwrap_or_default(), parsed.path()),
                MAX_LINK_TITLE,
            ),
            description: String::new(),
            image: None,
        };
        let Ok((response, base)) = web_fetch::get(parsed.clone(), &typed_host, TIMEOUT).await
        else {
            return Ok(card);
        };
        let html_page = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
        if !response.status().is_success() || !html_page {
            return Ok(card);
        }
        let page = web_fetch::read_at_most(response, MAX_PAGE).await?.bytes;
        let (title, description, image) = read_page(&String::from_utf8_lossy(&page), &base);
        if let Some(t) = title {
            card.title = clip(&t, MAX_LINK_TITLE);
        }
        card.description = clip(&description.unwrap_or_default(), MAX_LINK_DESCRIPTION);
        if let Some(image) = image {
            card.image = self.card_picture(image, &typed_host).await.ok();
        }
        Ok(card)
    }

    /// Downloads a card's picture and uploads it as a blob (a page without one keeps its card).
    async fn card_picture(&self, url: Url, typed_host: &str) -> CoreResult<String> {
        let (response, _) = web_fetch::get(url, typed_host, TIMEOUT).await?;
        let response = response
            .error_for_status()
            .map_err(|e| CoreError::Unreachable(e.to_string()))?;
        let picture = web_fetch::read_at_most(response, MAX_PICTURE).await?;
        if !picture.complete {
            return Err(CoreError::invalid("the picture is larger than 5 MiB"));
        }
        let bytes = picture.bytes;
        let dir = self.data_dir().join("tmp");
        std::fs::create_dir_all(&dir).map_err(|e| CoreError::File(e.to_string()))?;
        let path = dir.join(format!("card-{}", blake3::hash(&bytes).to_hex()));
        std::fs::write(&path, &bytes).map_err(|e| CoreError::File(e.to_string()))?;
        let hash = self.upload_post_images(vec![path.clone()]).await;
        let _ = std::fs::remove_file(&path);
        hash?
            .pop()
            .ok_or_else(|| CoreError::File("the picture was not uploaded".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_graph_wins_over_the_title_and_pictures_resolve_against_the_page(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let base = Url::parse("https://example.org/trips/crag.html")?;
        let html = r#"<html><head><title>Plain title</title>
            <meta property="og:title" content=" Three days at the crag ">
            <meta name="description" content="Route notes">
            <meta property="og:image" content="/img/crag.jpg"></head></html>"#;
        let (title, description, image) = read_page(html, &base);
        assert_eq!(title.as_deref(), Some("Three days at the crag"));
        assert_eq!(description.as_deref(), Some("Route notes"));
        assert_eq!(
            image.map(|u| u.to_string()).as_deref(),
            Some("https://example.org/img/crag.jpg")
        );
        Ok(())
    }

    #[test]
    fn a_page_without_open_graph_gives_its_title() -> Result<(), Box<dyn std::error::Error>> {
        let base = Url::parse("http://127.0.0.1/")?;
        let (title, description, image) = read_page("<title>\n Xin \n</title><p>hi</p>", &base);
        assert_eq!(title.as_deref(), Some("Xin"));
        assert_eq!((description, image), (None, None));
        Ok(())
    }
}
