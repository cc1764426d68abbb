//! The mini-program sandbox: each runs in its own window (label `mp-` + random), loaded from
//! `xinmp://<its id>/`, a scheme that serves only that package's files with a strict CSP. The
//! window may not navigate elsewhere, download, open windows, or (unless in developer mode)
//! open devtools; its capability allows one command, the bridge (`mini_program_commands`).

use std::{collections::HashMap, sync::Mutex};

use rand::Rng;
use tauri::{
    http::{header, Request, Response, StatusCode},
    AppHandle, Manager, UriSchemeContext, UriSchemeResponder, WebviewUrl, WebviewWindowBuilder,
};
use uuid::Uuid;
use xin_core::mini_programs::{package_file, OpenedMiniProgram};

pub const SCHEME: &str = "xinmp";
const LABEL_PREFIX: &str = "mp-";

/// Only the package's own files, scripts from it alone, no frames, no plugins, no forms
/// posting away; `fetch` reaches nothing (the bridge carries requests) but Tauri's IPC.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; \
    connect-src ipc: http://ipc.localhost; frame-src 'none'; object-src 'none'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Which mini-program each sandbox window runs.
#[derive(Default)]
pub struct Sandboxes(Mutex<HashMap<String, OpenedMiniProgram>>);

impl Sandboxes {
    pub fn running(&self, label: &str) -> Option<OpenedMiniProgram> {
        self.0.lock().ok()?.get(label).cloned()
    }

    fn label_of(&self, id: Uuid) -> Option<String> {
        let map = self.0.lock().ok()?;
        map.iter()
            .find(|(_, o)| o.program.id == id)
            .map(|(l, _)| l.clone())
    }

    fn insert(&self, label: String, opened: OpenedMiniProgram) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(label, opened);
        }
    }

    pub fn remove(&self, label: &str) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(label);
        }
    }
}

/// The origin a mini-program's pages have: one per mini-program, so their web storage and
/// cookies are apart.
fn host_of(id: Uuid) -> String {
    id.simple().to_string()
}

/// Whether the app runs in developer mode (`XIN_DEVELOPER=1`): mini-programs get devtools and
/// may reach a loopback backend over plain HTTP.
pub fn developer() -> bool {
    std::env::var("XIN_DEVELOPER").is_ok_and(|v| v == "1")
}

/// Opens the mini-program in its own sandbox window, or brings its open window forward.
pub fn open(app: &AppHandle, opened: OpenedMiniProgram) -> tauri::Result<String> {
    let sandboxes = app.state::<Sandboxes>();
    if let Some(label) = sandboxes.label_of(opened.program.id) {
        if let Some(w) = app.get_webview_window(&label) {
            w.set_focus()?;
            return Ok(label);
        }
        sandboxes.remove(&label);
    }
    let label = format!("{LABEL_PREFIX}{:016x}", rand::thread_rng().gen::<u64>());
    let host = host_of(opened.program.id);
    let home = opened.manifest.pages.first().cloned().unwrap_or_default();
    let url = format!("{SCHEME}://{host}/{home}")
        .parse()
        .map_err(|_| tauri::Error::InvalidWebviewUrl("mini-program URL"))?;
    let title = opened.program.name.clone();
    sandboxes.insert(label.clone(), opened);
    let nav_host = host.clone();
    let window = WebviewWindowBuilder::new(app, &label, WebviewUrl::CustomProtocol(url))
        .title(title)
        .inner_size(390.0, 720.0)
        .min_inner_size(320.0, 480.0)
        .initialization_script(xin_proto::BRIDGE_JS)
        .on_navigation(move |url| url.scheme() == SCHEME && url.host_str() == Some(&nav_host))
        .on_new_window(|_, _| tauri::webview::NewWindowResponse::Deny)
        .on_download(|_, _| false)
        .devtools(developer())
        .build();
    match window {
        Ok(w) => {
            let (app, closing) = (app.clone(), label.clone());
            w.on_window_event(move |e| {
                if matches!(e, tauri::WindowEvent::Destroyed) {
                    app.state::<Sandboxes>().remove(&closing);
                }
            });
            Ok(label)
        }
        Err(e) => {
            sandboxes.remove(&label);
            Err(e)
        }
    }
}

fn answer(status: StatusCode, media_type: &str, body: Vec<u8>) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, media_type)
        .header("Content-Security-Policy", CSP)
        .header("X-Content-Type-Options", "nosniff")
        .header(header::CACHE_CONTROL, "no-store")
        .body(body)
        .unwrap_or_default()
}

/// Serves a file of the package the asking window runs, and nothing else: another
/// mini-program's host, or a window that is not a sandbox, gets 403.
pub fn handle<R: tauri::Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let running = ctx
        .app_handle()
        .state::<Sandboxes>()
        .running(ctx.webview_label());
    let uri = request.uri().clone();
    tauri::async_runtime::spawn_blocking(move || {
        let Some(opened) = running else {
            return responder.respond(answer(StatusCode::FORBIDDEN, "text/plain", Vec::new()));
        };
        if uri.host() != Some(host_of(opened.program.id).as_str()) {
            return responder.respond(answer(StatusCode::FORBIDDEN, "text/plain", Vec::new()));
        }
        let path = uri.path().trim_start_matches('/');
        let response = match package_file(&opened.package, path) {
            Ok(Some(bytes)) => answer(StatusCode::OK, xin_proto::package_media_type(path), bytes),
            Ok(None) => answer(StatusCode::NOT_FOUND, "text/plain", Vec::new()),
            Err(e) => {
                tracing::warn!("mini-program file {path}: {e}");
                answer(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", Vec::new())
            }
        };
        responder.respond(response);
    });
}
