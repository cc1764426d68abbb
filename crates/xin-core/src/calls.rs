//! Calls on this computer: ringing in and out, answering, and the media of the call this
//! device takes part in. The server owns each call's state; this follows it (from the realtime
//! link and from the answers to our own requests) and tells the UI through
//! [`CoreEvent::Call`]. A device is in at most one call.

use std::{sync::Arc, time::Duration};

use reqwest::Method;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use uuid::Uuid;
use xin_proto::{
    AcceptCall, Call, CallFailure, CallKind, CallState, HangUp, SendSignal, Signal, StartCall,
    UserProfile,
};

use crate::{
    call_devices::CallDeviceChoice,
    call_media::{CallMedia, MediaEvent, MediaSetup},
    call_pipeline::{MediaStats, Source},
    call_view::CallView,
    engine::Engine,
    error::{CoreError, CoreResult},
    events::CoreEvent,
    session::AccountSession,
};

/// The one call of this device, its media once answered, and how calls get their media.
#[derive(Default)]
pub(crate) struct CallSlot {
    current: std::sync::Mutex<Option<Current>>,
    settings: std::sync::Mutex<Option<CallSettings>>,
}

/// Where a call's sound and picture come from and which addresses it may use.
#[derive(Debug, Clone, PartialEq)]
pub struct CallSettings {
    pub source: Source,
    /// The local addresses ICE may use; empty: every interface.
    pub addresses: Vec<String>,
    /// Relayed candidates only (through the TURN server the server hands out).
    pub relay_only: bool,
}

impl CallSettings {
    /// From the environment: `XIN_MOCK_CALL_MEDIA=1` swaps the microphone and camera for a
    /// 440 Hz tone and a test picture and measures what arrives instead of playing it (tests,
    /// machines without devices); `XIN_CALL_ADDRESSES=10.0.0.5,…` names the local addresses
    /// calls may use (a machine with interfaces calls must not go through; the tests' loopback);
    /// `XIN_CALL_RELAY_ONLY=1` never connects directly.
    pub fn from_env() -> Self {
        let source = if std::env::var_os("XIN_MOCK_CALL_MEDIA").is_some() {
            Source::Test { tone_hz: 440 }
        } else {
            Source::Devices {
                microphone: None,
                speaker: None,
                camera: None,
            }
        };
        let addresses = std::env::var("XIN_CALL_ADDRESSES")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        Self {
            source,
            addresses,
            relay_only: std::env::var_os("XIN_CALL_RELAY_ONLY").is_some(),
        }
    }
}

struct Current {
    view: CallView,
    media: Option<Arc<CallMedia>>,
}

/// Where the device choice is kept in the app's own database.
const DEVICE_CHOICE: &str = "call_devices";

/// How long an ended call stays on screen with its outcome before the window closes.
const ENDED_SHOWN: Duration = Duration::from_millis(1500);

impl Engine {
    fn with_slot<T>(&self, f: impl FnOnce(&mut Option<Current>) -> T) -> Option<T> {
        self.0
            .calls
            .current
            .lock()
            .ok()
            .map(|mut slot| f(&mut slot))
    }

    /// How the next call gets its media (the environment's choice until this is called).
    pub fn set_call_settings(&self, settings: CallSettings) {
        if let Ok(mut s) = self.0.calls.settings.lock() {
            *s = Some(settings);
        }
    }

    fn call_settings(&self) -> CallSettings {
        let set = self.0.calls.settings.lock().ok().and_then(|s| s.clone());
        set.unwrap_or_else(|| {
            let mut settings = CallSettings::from_env();
            if let Source::Devices { .. } = settings.source {
                let choice = self.call_device_choice();
                settings.source = Source::Devices {
                    microphone: choice.microphone,
                    speaker: choice.speaker,
                    camera: choice.camera,
                };
            }
            settings
        })
    }

    /// The microphone, speaker and camera the user picked for calls (the system's default
    /// where none is picked).
    pub fn call_device_choice(&self) -> CallDeviceChoice {
        self.app_db(|db| db.setting(DEVICE_CHOICE))
            .ok()
            .flatten()
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default()
    }

    pub fn set_call_device_choice(&self, choice: &CallDeviceChoice) -> CoreResult<()> {
        let value =
            serde_json::to_string(choice).map_err(|e| CoreError::Protocol(e.to_string()))?;
        self.app_db(|db| db.set_setting(DEVICE_CHOICE, &value))
    }

    /// The call on this device, if any.
    pub fn current_call(&self) -> Option<CallView> {
        self.with_slot(|s| s.as_ref().map(|c| c.view.clone()))
            .flatten()
    }

    /// What this device's media has received, while a call runs.
    pub fn call_stats(&self) -> Option<MediaStats> {
        self.media().map(|m| m.stats())
    }

    /// The latest picture from the other end (`remote`) or from this computer's camera, as JPEG.
    pub fn call_frame(&self, remote: bool) -> Option<Arc<Vec<u8>>> {
        let media = self.media()?;
        if remote {
            media.remote_frame()
        } else {
            media.local_frame()
        }
    }

    fn media(&self) -> Option<Arc<CallMedia>> {
        self.with_slot(|s| s.as_ref().and_then(|c| c.media.clone()))
            .flatten()
    }

    fn publish(&self) {
        self.emit(CoreEvent::Call {
            call: self.current_call(),
        });
    }

    /// Rings `peer`'s devices.
    pub async fn start_call(&self, peer: Uuid, kind: CallKind) -> CoreResult<CallView> {
        if self
            .current_call()
            .is_some_and(|c| c.call.state != CallState::Ended)
        {
            return Err(CoreError::invalid("You are already in a call."));
        }
        let call: Call = self
            .authed_json(
                Method::POST,
                "/calls".into(),
                Some(StartCall { callee: peer, kind }),
            )
            .await?;
        self.follow(call).await;
        self.current_call()
            .ok_or_else(|| CoreError::Protocol("the call vanished".into()))
    }

    /// Answers the ringing call here, with video or (`voice_only`) without.
    pub async fn accept_call(&self, voice_only: bool) -> CoreResult<()> {
        let view = self.ringing_in()?;
        let account = self.require_account().await?;
        let video = view.call.kind == CallKind::Video && !voice_only;
        // Ready before the server says "answered": the caller's offer follows at once.
        self.start_media(&account, &view.call, false, video)?;
        let answered = self
            .authed_json::<_, Call>(
                Method::POST,
                format!("/calls/{}/accept", view.call.id),
                Some(AcceptCall { voice_only }),
            )
            .await;
        match answered {
            Ok(call) => {
                self.follow(call).await;
                Ok(())
            }
            Err(e) => {
                self.with_slot(|s| {
                    if let Some(c) = s.as_mut() {
                        c.media = None;
                    }
                });
                Err(e)
            }
        }
    }

    /// Declines the call ringing here (for every device of mine).
    pub async fn decline_call(&self) -> CoreResult<()> {
        let view = self.ringing_in()?;
        self.end_request(view.call.id, "decline", None).await
    }

    /// Cancels my call before it is answered, or hangs up the call in progress.
    pub async fn hang_up(&self) -> CoreResult<()> {
        let view = self
            .current_call()
            .filter(|c| c.call.state != CallState::Ended)
            .ok_or_else(|| CoreError::invalid("There is no call to hang up."))?;
        let action = if view.call.state == CallState::Ringing {
            "cancel"
        } else {
            "hangup"
        };
        self.end_request(view.call.id, action, None).await
    }

    /// Turns the video call in progress into a voice call, for both people.
    pub async fn switch_call_to_voice(&self) -> CoreResult<()> {
        let view = self
            .current_call()
            .filter(|c| c.call.state == CallState::Active && c.video)
            .ok_or_else(|| CoreError::invalid("No video call is in progress."))?;
        let call: Call = self
            .authed_json::<(), _>(Method::POST, format!("/calls/{}/voice", view.call.id), None)
            .await?;
        self.follow(call).await;
        Ok(())
    }

    pub fn set_call_muted(&self, muted: bool) {
        self.with_slot(|s| {
            if let Some(c) = s.as_mut() {
                c.view.muted = muted;
                if let Some(m) = &c.media {
                    m.set_muted(muted);
                }
            }
        });
        self.publish();
    }

    pub fn set_call_camera(&self, on: bool) {
        self.with_slot(|s| {
            if let Some(c) = s.as_mut() {
                c.view.camera_on = on;
                if let Some(m) = &c.media {
                    m.set_camera(on);
                    m.tell_peer(Signal::Camera { on });
                }
            }
        });
        self.publish();
    }

    fn ringing_in(&self) -> CoreResult<CallView> {
        self.current_call()
            .filter(|c| c.incoming && c.call.state == CallState::Ringing)
            .ok_or_else(|| CoreError::invalid("No call is ringing."))
    }

    async fn end_request(
        &self,
        call: Uuid,
        action: &str,
        failure: Option<CallFailure>,
    ) -> CoreResult<()> {
        let ended = self.post_end(call, action, failure).await?;
        self.follow(ended).await;
        Ok(())
    }

    /// Ends the call on the server; the realtime link brings the ended call back.
    async fn post_end(
        &self,
        call: Uuid,
        action: &str,
        failure: Option<CallFailure>,
    ) -> CoreResult<Call> {
        self.authed_json(
            Method::POST,
            format!("/calls/{call}/{action}"),
            Some(HangUp { failure }),
        )
        .await
    }

    /// A call as the server now has it, from the realtime link or an answer.
    pub(crate) async fn follow(&self, call: Call) {
        let Some(account) = self.account().await else {
            return;
        };
        let me = account.user.id;
        let here = account.device_id;
        let answered_elsewhere = call.callee == me
            && call.callee_device.is_some_and(|d| d != here)
            && call.caller_device != here;
        let mine = call.caller_device == here
            || (call.callee == me && call.callee_device.is_none_or(|d| d == here));
        // A call that has ended is only being shown for a moment: a new one takes its place.
        let known = self
            .with_slot(|s| {
                s.as_ref()
                    .filter(|c| c.view.call.state != CallState::Ended)
                    .map(|c| c.view.call.id)
            })
            .flatten();
        if answered_elsewhere || !mine {
            // Answered on my phone (or another computer): stop ringing here.
            if known == Some(call.id) {
                self.clear_call(call.id);
            }
            return;
        }
        if known.is_some_and(|id| id != call.id) {
            // One call at a time: the server has already answered it "busy" if it rang us.
            return;
        }
        let peer_id = if call.caller == me {
            call.callee
        } else {
            call.caller
        };
        let peer = self.peer(peer_id).await;
        let video = call.kind == CallKind::Video && !call.voice_only;
        let start_offer =
            call.state == CallState::Active && call.caller_device == here && self.media().is_none();
        let ended = call.state == CallState::Ended;
        let call_id = call.id;
        self.with_slot(|s| {
            if s.as_ref().is_some_and(|c| c.view.call.id != call.id) {
                *s = None;
            }
            let current = s.get_or_insert_with(|| Current {
                view: CallView {
                    incoming: call.caller != me,
                    peer: peer.clone(),
                    connected: false,
                    answered_seen_at: None,
                    muted: false,
                    camera_on: true,
                    peer_camera_on: true,
                    video,
                    call: call.clone(),
                },
                media: None,
            });
            if call.state == CallState::Active && current.view.answered_seen_at.is_none() {
                current.view.answered_seen_at = Some(crate::time::now_ms());
            }
            if current.view.video && !video {
                // Switched to voice: no more pictures from here.
                if let Some(m) = &current.media {
                    m.set_camera(false);
                }
            }
            current.view.video = video;
            current.view.call = call.clone();
            if ended {
                current.media = None;
                current.view.connected = false;
            }
        });
        if start_offer {
            if let Err(e) = self.start_media(&account, &call, true, video) {
                tracing::warn!("the call's media cannot start: {e}");
                let engine = self.clone();
                tokio::spawn(async move {
                    let _ = engine
                        .post_end(call_id, "hangup", Some(CallFailure::Media))
                        .await;
                });
            }
        }
        self.publish();
        if ended {
            let engine = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(ENDED_SHOWN).await;
                engine.clear_call(call_id);
            });
        }
    }

    /// A signal from the other device of the call.
    pub(crate) fn on_call_signal(&self, call: Uuid, signal: Signal) {
        tracing::debug!("call signal in: {signal:?}");
        if let Signal::Camera { on } = signal {
            self.with_slot(|s| {
                if let Some(c) = s.as_mut().filter(|c| c.view.call.id == call) {
                    c.view.peer_camera_on = on;
                }
            });
            self.publish();
            return;
        }
        let media = self
            .with_slot(|s| {
                s.as_ref()
                    .filter(|c| c.view.call.id == call)
                    .and_then(|c| c.media.clone())
            })
            .flatten();
        match media {
            Some(media) => {
                if let Err(e) = media.receive(signal) {
                    tracing::warn!("call signal refused: {e}");
                }
            }
            None => tracing::debug!("a signal for a call without media here"),
        }
    }

    fn clear_call(&self, id: Uuid) {
        let cleared = self.with_slot(|s| {
            if s.as_ref().is_some_and(|c| c.view.call.id == id) {
                *s = None;
                true
            } else {
                false
            }
        });
        if cleared == Some(true) {
            self.publish();
        }
    }

    /// The account is going away: the call's media stops with it.
    pub(crate) fn drop_call(&self) {
        if self.with_slot(|s| s.take()).flatten().is_some() {
            self.publish();
        }
    }

    async fn peer(&self, id: Uuid) -> UserProfile {
        let contacts = self
            .contacts()
            .await
            .map(|c| c.contacts)
            .unwrap_or_default();
        match contacts.into_iter().find(|c| c.user.id == id) {
            Some(c) => UserProfile {
                display_name: c.remark.unwrap_or(c.user.display_name.clone()),
                ..c.user
            },
            None => UserProfile {
                id,
                handle: String::new(),
                display_name: String::new(),
                avatar_hue: 0,
            },
        }
    }

    fn start_media(
        &self,
        account: &Arc<AccountSession>,
        call: &Call,
        offerer: bool,
        video: bool,
    ) -> CoreResult<()> {
        let (tx, rx) = unbounded_channel();
        let settings = self.call_settings();
        let setup = MediaSetup {
            offerer,
            video,
            ice_servers: call.ice_servers.clone(),
            relay_only: settings.relay_only,
            addresses: settings.addresses,
            source: settings.source,
        };
        let media = CallMedia::start(setup, tx).map_err(CoreError::File)?;
        let installed = self
            .with_slot(|s| match s.as_mut() {
                Some(c) if c.view.call.id == call.id => {
                    c.media = Some(Arc::new(media));
                    true
                }
                _ => false,
            })
            .unwrap_or(false);
        if installed {
            tokio::spawn(carry(self.clone(), account.clone(), call.id, rx));
        }
        Ok(())
    }
}

/// Carries the media's signals to the other device, and its news to the call.
async fn carry(
    engine: Engine,
    account: Arc<AccountSession>,
    call: Uuid,
    mut events: UnboundedReceiver<MediaEvent>,
) {
    while let Some(event) = events.recv().await {
        match event {
            MediaEvent::Signal(signal) => {
                tracing::debug!("call signal out: {signal:?}");
                let sent = account
                    .with_access(|access| {
                        let api = account.api.clone();
                        let body = SendSignal {
                            signal: signal.clone(),
                        };
                        async move {
                            api.send::<_, serde_json::Value>(
                                Method::POST,
                                &format!("/calls/{call}/signal"),
                                &access,
                                Some(&body),
                            )
                            .await
                        }
                    })
                    .await;
                if let Err(e) = sent {
                    tracing::warn!("a call signal did not go through: {e}");
                }
            }
            MediaEvent::Connected => {
                engine.with_slot(|s| {
                    if let Some(c) = s.as_mut().filter(|c| c.view.call.id == call) {
                        c.view.connected = true;
                    }
                });
                engine.publish();
            }
            MediaEvent::Failed(reason) => {
                tracing::warn!("the call's connection failed: {reason}");
                let _ = engine
                    .post_end(call, "hangup", Some(CallFailure::Connection))
                    .await;
                return;
            }
        }
    }
}
