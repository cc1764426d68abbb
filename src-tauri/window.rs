//! One window that is the small login window while signed out and the main window after.

use tauri::{AppHandle, LogicalSize, Manager};
use xin_core::AppView;

const LOGIN: (f64, f64) = (300.0, 420.0);
const MAIN: (f64, f64) = (1000.0, 680.0);
const MAIN_MIN: (f64, f64) = (720.0, 500.0);

pub fn fit(app: &AppHandle, view: &AppView) {
    let Some(w) = app.get_webview_window("main") else {
        return;
    };
    let signed_in = matches!(view, AppView::SignedIn { .. });
    let current = w.inner_size().ok().zip(w.scale_factor().ok());
    let is_main = current.is_some_and(|(s, f)| s.to_logical::<f64>(f).width > LOGIN.0 + 1.0);
    if signed_in == is_main {
        return;
    }
    let result = if signed_in {
        w.set_resizable(true)
            .and_then(|_| w.set_min_size(Some(LogicalSize::new(MAIN_MIN.0, MAIN_MIN.1))))
            .and_then(|_| w.set_size(LogicalSize::new(MAIN.0, MAIN.1)))
            .and_then(|_| w.center())
    } else {
        w.set_min_size(None::<LogicalSize<f64>>)
            .and_then(|_| w.set_size(LogicalSize::new(LOGIN.0, LOGIN.1)))
            .and_then(|_| w.set_resizable(false))
            .and_then(|_| w.center())
    };
    if let Err(e) = result {
        tracing::warn!("window resize: {e}");
    }
}
