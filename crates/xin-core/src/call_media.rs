//! One device's media for an answered call, on GStreamer's `webrtcbin` (WebKitGTK has no
//! `RTCPeerConnection`, see `../shared/design/calls.md`). It speaks standard SDP offer/answer
//! and trickle ICE, so the other end can be a browser or another desktop.
//!
//! The caller's device offers once the call is answered; the answering device answers. What the
//! other end must hear (signals, "connected", failures) leaves through a channel as
//! [`MediaEvent`]s, from GStreamer's own threads.

use std::sync::Arc;

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_webrtc as webrtc;
use tokio::sync::mpsc::UnboundedSender;
use xin_proto::{IceServer, Signal};

use crate::call_pipeline::{self, Meters, Source};

/// What the media tells the call.
#[derive(Debug)]
pub enum MediaEvent {
    /// A signal for the other device.
    Signal(Signal),
    /// Media can flow: ICE and DTLS are up, and sending has begun.
    Connected,
    /// The connection failed or broke for good.
    Failed(String),
}

/// How this device takes part.
pub struct MediaSetup {
    /// Offer (the caller's device) or wait for the offer (the answering device).
    pub offerer: bool,
    /// Send and receive video as well as sound.
    pub video: bool,
    pub ice_servers: Vec<IceServer>,
    /// Only relayed candidates (through TURN), never a direct path.
    pub relay_only: bool,
    /// The local addresses ICE may use; empty means every interface (libnice's discovery).
    pub addresses: Vec<String>,
    /// The microphone and camera, or test sources.
    pub source: Source,
}

impl MediaSetup {
    /// A tone and a test picture over loopback only, with no STUN or TURN: what tests and
    /// benchmarks run, never a real interface.
    pub fn loopback_test(offerer: bool, video: bool, tone_hz: u32) -> Self {
        Self {
            offerer,
            video,
            ice_servers: vec![],
            relay_only: false,
            addresses: vec!["127.0.0.1".into()],
            source: Source::Test { tone_hz },
        }
    }
}

/// The receive jitter buffer: webrtcbin's default of 200 ms is for streaming; a conversation
/// wants the delay kept small (measured 37–50 ms on loopback with this setting).
const JITTER_BUFFER_MS: u32 = 60;

/// A running call's media. Dropping it stops everything.
pub struct CallMedia {
    pipeline: gst::Pipeline,
    webrtc: gst::Element,
    send: call_pipeline::Senders,
    meters: Arc<Meters>,
    out: UnboundedSender<MediaEvent>,
}

impl CallMedia {
    /// Builds the pipeline and starts ICE gathering; the offerer offers at once.
    pub fn start(setup: MediaSetup, out: UnboundedSender<MediaEvent>) -> Result<Self, String> {
        gst::init().map_err(|e| format!("GStreamer: {e}"))?;
        let pipeline = gst::Pipeline::new();
        let webrtc = make("webrtcbin")?;
        webrtc.set_property_from_str("bundle-policy", "max-bundle");
        webrtc.set_property("latency", JITTER_BUFFER_MS);
        if setup.relay_only {
            webrtc.set_property_from_str("ice-transport-policy", "relay");
        }
        configure_ice_servers(&webrtc, &setup.ice_servers);
        pipeline.add(&webrtc).map_err(|e| e.to_string())?;
        if let Some(ice) = webrtc.property::<Option<webrtc::WebRTCICE>>("ice-agent") {
            for address in &setup.addresses {
                ice.emit_by_name::<bool>("add-local-ip-address", &[address]);
            }
        }
        let meters = Arc::new(Meters::default());
        meters.mark_started();
        let send = call_pipeline::add_senders(&pipeline, &webrtc, &setup.source, setup.video)?;
        call_pipeline::on_remote_streams(&pipeline, &webrtc, &setup.source, meters.clone());
        let media = Self {
            pipeline,
            webrtc,
            send,
            meters,
            out,
        };
        media.watch();
        media
            .pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| format!("the call's media cannot start: {e}"))?;
        if setup.offerer {
            media.offer();
        }
        Ok(media)
    }

    /// Sends our candidates as they are found, and says when the connection is up or has failed.
    fn watch(&self) {
        let out = self.out.clone();
        self.webrtc
            .connect("on-ice-candidate", false, move |values| {
                let index = values.get(1).and_then(|v| v.get::<u32>().ok());
                let candidate = values.get(2).and_then(|v| v.get::<String>().ok());
                if let (Some(index), Some(candidate)) = (index, candidate) {
                    let _ = out.send(MediaEvent::Signal(Signal::Candidate {
                        candidate,
                        sdp_mid: None,
                        sdp_m_line_index: Some(index),
                    }));
                }
                None
            });
        let out = self.out.clone();
        let send = self.send.clone();
        let meters = self.meters.clone();
        self.webrtc
            .connect_notify(Some("connection-state"), move |webrtc, _| {
                let state =
                    webrtc.property::<webrtc::WebRTCPeerConnectionState>("connection-state");
                match state {
                    webrtc::WebRTCPeerConnectionState::Connected => {
                        // Only now: audio queued before the transport is up arrives as a burst
                        // and swells the far end's jitter buffer by most of a second.
                        send.open();
                        meters.mark_connected();
                        let _ = out.send(MediaEvent::Connected);
                    }
                    webrtc::WebRTCPeerConnectionState::Failed => {
                        let _ = out.send(MediaEvent::Failed("the connection failed".into()));
                    }
                    _ => {}
                }
            });
        let out = self.out.clone();
        let meters = self.meters.clone();
        if let Some(bus) = self.pipeline.bus() {
            bus.set_sync_handler(move |_, msg| {
                meters.on_message(msg);
                if let gst::MessageView::Error(e) = msg.view() {
                    tracing::warn!("call media: {} ({:?})", e.error(), e.debug());
                    let _ = out.send(MediaEvent::Failed(e.error().to_string()));
                }
                gst::BusSyncReply::Drop
            });
        }
    }

    fn offer(&self) {
        let webrtc = self.webrtc.downgrade();
        let out = self.out.clone();
        let promise = gst::Promise::with_change_func(move |reply| {
            let Some(webrtc) = webrtc.upgrade() else {
                return;
            };
            match description(reply, "offer") {
                Ok(offer) => {
                    let sdp = offer.sdp().to_string();
                    webrtc.emit_by_name::<()>(
                        "set-local-description",
                        &[&offer, &None::<gst::Promise>],
                    );
                    let _ = out.send(MediaEvent::Signal(Signal::Offer { sdp }));
                }
                Err(e) => {
                    let _ = out.send(MediaEvent::Failed(e));
                }
            }
        });
        self.webrtc
            .emit_by_name::<()>("create-offer", &[&None::<gst::Structure>, &promise]);
    }

    /// What the other device sent.
    pub fn receive(&self, signal: Signal) -> Result<(), String> {
        match signal {
            Signal::Offer { sdp } => {
                let offer = parse(webrtc::WebRTCSDPType::Offer, &sdp)?;
                let webrtc = self.webrtc.downgrade();
                let out = self.out.clone();
                let promise = gst::Promise::with_change_func(move |_| {
                    if let Some(webrtc) = webrtc.upgrade() {
                        answer(&webrtc, out);
                    }
                });
                self.webrtc
                    .emit_by_name::<()>("set-remote-description", &[&offer, &promise]);
            }
            Signal::Answer { sdp } => {
                let answer = parse(webrtc::WebRTCSDPType::Answer, &sdp)?;
                self.webrtc.emit_by_name::<()>(
                    "set-remote-description",
                    &[&answer, &None::<gst::Promise>],
                );
            }
            // The end of the other side's candidates: webrtcbin needs no word of it.
            Signal::Candidate { candidate, .. } if candidate.is_empty() => {}
            Signal::Candidate {
                candidate,
                sdp_m_line_index,
                ..
            } => {
                // One bundled transport: every candidate belongs to the first m-line's.
                let index = sdp_m_line_index.unwrap_or(0);
                self.webrtc
                    .emit_by_name::<()>("add-ice-candidate", &[&index, &candidate]);
            }
            // News for the call window, not for the media (see `Engine::on_call_signal`).
            Signal::Camera { .. } => {}
        }
        Ok(())
    }

    /// Sends `signal` to the other device along with the media's own.
    pub fn tell_peer(&self, signal: Signal) {
        let _ = self.out.send(MediaEvent::Signal(signal));
    }

    /// Silences or restores the microphone.
    pub fn set_muted(&self, muted: bool) {
        self.send.set_muted(muted);
    }

    /// Stops or restarts sending the camera's picture.
    pub fn set_camera(&self, on: bool) {
        self.send.set_camera(on);
    }

    /// What arrived so far, for the call's statistics and the tests.
    pub fn stats(&self) -> call_pipeline::MediaStats {
        self.meters.read()
    }

    /// Packets lost and the interarrival jitter (ms) of the received sound, from webrtcbin's
    /// own statistics. Waits for them: not for GStreamer's threads.
    pub fn audio_loss(&self) -> Option<(i64, f64)> {
        let promise = gst::Promise::new();
        self.webrtc
            .emit_by_name::<()>("get-stats", &[&None::<gst::Pad>, &promise]);
        if promise.wait() != gst::PromiseResult::Replied {
            return None;
        }
        let reply = promise.get_reply()?;
        reply.iter().find_map(|(_, value)| {
            let s = value.get::<gst::Structure>().ok()?;
            let kind = s.get::<webrtc::WebRTCStatsType>("type").ok()?;
            let audio = s.get::<String>("kind").map_or(true, |k| k == "audio");
            (kind == webrtc::WebRTCStatsType::InboundRtp && audio).then(|| {
                (
                    s.get::<i64>("packets-lost").unwrap_or(0),
                    s.get::<f64>("jitter").unwrap_or(0.0) * 1000.0,
                )
            })
        })
    }

    /// The latest remote video frame as JPEG, when there is one.
    pub fn remote_frame(&self) -> Option<Arc<Vec<u8>>> {
        self.meters.frame()
    }

    /// The latest picture of this device's own camera as JPEG, for the self-view.
    pub fn local_frame(&self) -> Option<Arc<Vec<u8>>> {
        self.send.frame()
    }
}

impl Drop for CallMedia {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

fn answer(webrtc: &gst::Element, out: UnboundedSender<MediaEvent>) {
    let weak = webrtc.downgrade();
    let promise = gst::Promise::with_change_func(move |reply| {
        let Some(webrtc) = weak.upgrade() else {
            return;
        };
        match description(reply, "answer") {
            Ok(answer) => {
                let sdp = answer.sdp().to_string();
                webrtc
                    .emit_by_name::<()>("set-local-description", &[&answer, &None::<gst::Promise>]);
                let _ = out.send(MediaEvent::Signal(Signal::Answer { sdp }));
            }
            Err(e) => {
                let _ = out.send(MediaEvent::Failed(e));
            }
        }
    });
    webrtc.emit_by_name::<()>("create-answer", &[&None::<gst::Structure>, &promise]);
}

fn description(
    reply: Result<Option<&gst::StructureRef>, gst::PromiseError>,
    field: &str,
) -> Result<webrtc::WebRTCSessionDescription, String> {
    let reply = match reply {
        Ok(Some(reply)) => reply,
        Ok(None) => return Err(format!("no {field} was made")),
        Err(e) => return Err(format!("making the {field} failed: {e:?}")),
    };
    reply
        .get::<webrtc::WebRTCSessionDescription>(field)
        .map_err(|_| match reply.get::<glib::Error>("error") {
            Ok(e) => format!("making the {field} failed: {e}"),
            Err(_) => format!("no {field} was made"),
        })
}

fn parse(
    kind: webrtc::WebRTCSDPType,
    sdp: &str,
) -> Result<webrtc::WebRTCSessionDescription, String> {
    let message = gstreamer_sdp::SDPMessage::parse_buffer(sdp.as_bytes())
        .map_err(|_| "the other device sent a description that is not SDP".to_string())?;
    Ok(webrtc::WebRTCSessionDescription::new(kind, message))
}

/// STUN and TURN servers in webrtcbin's URL form. The TURN REST user name holds a colon
/// (`expiry:user`), which must be escaped inside the URL's user part.
fn configure_ice_servers(webrtc: &gst::Element, servers: &[IceServer]) {
    for server in servers {
        for url in &server.urls {
            let (scheme, rest) = match url.split_once(':') {
                Some(parts) => parts,
                None => continue,
            };
            let host = rest.trim_start_matches("//");
            let host = host.split('?').next().unwrap_or(host);
            match scheme {
                "stun" => webrtc.set_property("stun-server", format!("stun://{host}")),
                "turn" | "turns" => {
                    let user = escape(server.username.as_deref().unwrap_or(""));
                    let pass = escape(server.credential.as_deref().unwrap_or(""));
                    let url = format!("{scheme}://{user}:{pass}@{host}");
                    webrtc.emit_by_name::<bool>("add-turn-server", &[&url]);
                }
                _ => tracing::warn!("ignoring the ICE server {url}: not stun: or turn:"),
            }
        }
    }
}

fn escape(part: &str) -> String {
    part.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) fn make(factory: &str) -> Result<gst::Element, String> {
    gst::ElementFactory::make(factory)
        .build()
        .map_err(|_| format!("GStreamer has no {factory} element: calls need it installed"))
}

use gstreamer::glib;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_user_names_with_colons_are_escaped() {
        assert_eq!(escape("1700000000:alice"), "1700000000%3Aalice");
        assert_eq!(escape("a+b/c="), "a%2Bb%2Fc%3D");
    }
}
