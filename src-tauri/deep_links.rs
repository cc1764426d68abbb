//! `xin://` links from the system: the menu entry registers the scheme, so a browser or a
//! mail program starts `xin <link>`. A cold start finds the link among its arguments; a second
//! launch hands it to the running app (single-instance forwards its arguments). Links wait in a
//! queue until the signed-in UI takes them: one that arrives before login opens after it.

use std::sync::Mutex;

use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_deep_link::DeepLinkExt;
use xin_core::links::XinLink;

/// The event that tells the main window links are waiting (it then calls `take_links`).
pub const LINKS_EVENT: &str = "xin://links";

#[derive(Default)]
pub struct Waiting(Mutex<Vec<XinLink>>);

/// Starts listening for links, and queues the one this launch was started with.
pub fn track(app: &AppHandle) {
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        let urls: Vec<String> = event.urls().iter().map(|u| u.to_string()).collect();
        receive(&handle, &urls);
    });
    match app.deep_link().get_current() {
        Ok(Some(urls)) => {
            let urls: Vec<String> = urls.iter().map(|u| u.to_string()).collect();
            receive(app, &urls);
        }
        Ok(None) => {}
        Err(e) => tracing::warn!("deep link at launch: {e}"),
    }
}

fn receive(app: &AppHandle, urls: &[String]) {
    let links: Vec<XinLink> = urls
        .iter()
        .filter_map(|url| match XinLink::parse(url) {
            Ok(link) => Some(link),
            Err(e) => {
                tracing::warn!(%url, "link not opened: {e}");
                None
            }
        })
        .collect();
    if links.is_empty() {
        return;
    }
    if let Ok(mut waiting) = app.state::<Waiting>().0.lock() {
        waiting.extend(links);
    }
    crate::alerts::show_main(app);
    if let Err(e) = app.emit_to("main", LINKS_EVENT, ()) {
        tracing::warn!("emit links: {e}");
    }
}

/// The links waiting to be opened, oldest first; the queue is empty afterwards.
#[tauri::command]
pub fn take_links(waiting: State<'_, Waiting>) -> Vec<XinLink> {
    waiting
        .0
        .lock()
        .map(|mut w| std::mem::take(&mut *w))
        .unwrap_or_default()
}
