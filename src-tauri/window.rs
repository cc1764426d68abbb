//! One window that is the small login window while signed out and the main window after. The
//! main layout's size and position are remembered (in `window.json` in the data directory) and
//! come back at the next sign-in, in this run or a later one; the login card is always centred.
//!
//! Why not tauri-plugin-window-state: it records whatever size the window has when the app
//! quits, and quitting while signed out would store the 300×420 login card as the main window's
//! size. Here only the main layout is recorded.

use std::{
    path::PathBuf,
    sync::{
        atomic::{AtomicBool, Ordering},
        Mutex,
    },
};

use serde::{Deserialize, Serialize};
use tauri::{
    AppHandle, LogicalSize, Manager, PhysicalPosition, PhysicalSize, WebviewWindow, WindowEvent,
};
use xin_core::AppView;

const LOGIN: (f64, f64) = (300.0, 420.0);
const MAIN: (f64, f64) = (1000.0, 680.0);
const MAIN_MIN: (f64, f64) = (720.0, 500.0);

/// Where the main layout was, in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Placement {
    x: i32,
    y: i32,
    width: u32,
    height: u32,
}

impl Placement {
    /// A placement worth restoring: at least the main layout's minimum size.
    fn usable(&self, scale: f64) -> bool {
        let size = PhysicalSize::new(self.width, self.height).to_logical::<f64>(scale);
        size.width >= MAIN_MIN.0 && size.height >= MAIN_MIN.1
    }
}

/// The main layout's remembered placement.
pub struct Memory {
    path: PathBuf,
    placement: Mutex<Option<Placement>>,
    /// Whether the window shows the main layout (only then is its placement recorded).
    main: AtomicBool,
}

impl Memory {
    pub fn new(path: PathBuf) -> Self {
        let placement = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        Self {
            path,
            placement: Mutex::new(placement),
            main: AtomicBool::new(false),
        }
    }

    fn saved(&self) -> Option<Placement> {
        self.placement.lock().ok().and_then(|p| *p)
    }

    /// Records where the main layout is now.
    fn record(&self, w: &WebviewWindow) {
        if !self.main.load(Ordering::Relaxed) || w.is_minimized().unwrap_or(true) {
            return;
        }
        if w.is_maximized().unwrap_or(false) {
            return;
        }
        let (Ok(pos), Ok(size)) = (w.outer_position(), w.inner_size()) else {
            return;
        };
        let now = Placement {
            x: pos.x,
            y: pos.y,
            width: size.width,
            height: size.height,
        };
        let Ok(mut placement) = self.placement.lock() else {
            return;
        };
        if *placement == Some(now) {
            return;
        }
        *placement = Some(now);
        match serde_json::to_vec(&now) {
            Ok(bytes) => {
                if let Err(e) = std::fs::write(&self.path, bytes) {
                    tracing::warn!("window placement: {e}");
                }
            }
            Err(e) => tracing::warn!("window placement: {e}"),
        }
    }
}

/// Follows the main window's moves and resizes.
pub fn track(app: &AppHandle) {
    let Some(w) = app.get_webview_window("main") else {
        return;
    };
    let window = w.clone();
    let app = app.clone();
    w.on_window_event(move |e| {
        if matches!(
            e,
            WindowEvent::Moved(_) | WindowEvent::Resized(_) | WindowEvent::CloseRequested { .. }
        ) {
            app.state::<Memory>().record(&window);
        }
    });
}

/// Resizes to `size` and centres on the window's screen. Computed here rather than with
/// `center()`, which on GTK measures the window before the resize has taken effect.
fn resize_centred(w: &WebviewWindow, size: (f64, f64)) -> tauri::Result<()> {
    let scale = w.scale_factor()?;
    let target = LogicalSize::new(size.0, size.1).to_physical::<u32>(scale);
    w.set_size(LogicalSize::new(size.0, size.1))?;
    let Some(m) = w.current_monitor()?.or(w.primary_monitor()?) else {
        return w.center();
    };
    let (mp, ms) = (m.position(), m.size());
    let x = i64::from(mp.x) + (i64::from(ms.width) - i64::from(target.width)) / 2;
    let y = i64::from(mp.y) + (i64::from(ms.height) - i64::from(target.height)) / 2;
    let clamp = |v: i64| i32::try_from(v.max(0)).unwrap_or(0);
    w.set_position(PhysicalPosition::new(clamp(x), clamp(y)))
}

/// Puts the main layout where it was, if that is still on a screen; else centred at its
/// default size.
fn place_main(w: &WebviewWindow, saved: Option<Placement>) -> tauri::Result<()> {
    let scale = w.scale_factor()?;
    if let Some(p) = saved.filter(|p| p.usable(scale)) {
        // Still on a screen (a monitor unplugged since would leave it out of reach).
        let visible = w.available_monitors()?.iter().any(|m| {
            let (mp, ms) = (m.position(), m.size());
            let right = i64::from(mp.x) + i64::from(ms.width);
            let bottom = i64::from(mp.y) + i64::from(ms.height);
            i64::from(p.x) < right
                && i64::from(p.x) + i64::from(p.width) > i64::from(mp.x)
                && i64::from(p.y) < bottom
                && i64::from(p.y) + i64::from(p.height) > i64::from(mp.y)
        });
        w.set_size(PhysicalSize::new(p.width, p.height))?;
        return if visible {
            w.set_position(PhysicalPosition::new(p.x, p.y))
        } else {
            w.center()
        };
    }
    resize_centred(w, MAIN)
}

pub fn fit(app: &AppHandle, view: &AppView) {
    let Some(w) = app.get_webview_window("main") else {
        return;
    };
    let memory = app.state::<Memory>();
    let signed_in = matches!(view, AppView::SignedIn { .. });
    let current = w.inner_size().ok().zip(w.scale_factor().ok());
    let is_main = current.is_some_and(|(s, f)| s.to_logical::<f64>(f).width > LOGIN.0 + 1.0);
    if signed_in == is_main {
        memory.main.store(signed_in, Ordering::Relaxed);
        return;
    }
    let result = if signed_in {
        w.set_resizable(true)
            .and_then(|_| w.set_min_size(Some(LogicalSize::new(MAIN_MIN.0, MAIN_MIN.1))))
            .and_then(|_| place_main(&w, memory.saved()))
    } else {
        // The login card is not the main layout: stop recording before it shrinks.
        memory.record(&w);
        memory.main.store(false, Ordering::Relaxed);
        w.set_min_size(None::<LogicalSize<f64>>)
            .and_then(|_| w.set_resizable(false))
            .and_then(|_| resize_centred(&w, LOGIN))
    };
    if signed_in {
        memory.main.store(true, Ordering::Relaxed);
    }
    if let Err(e) = result {
        tracing::warn!("window resize: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_main_sized_placement_is_restored() {
        let at = |width, height| Placement {
            x: 10,
            y: 10,
            width,
            height,
        };
        assert!(at(1200, 800).usable(1.0));
        assert!(at(1440, 1000).usable(2.0), "720×500 logical at 2×");
        assert!(!at(1400, 1000).usable(2.0), "700 logical wide at 2×");
        assert!(!at(300, 420).usable(1.0), "the login card");
    }
}
