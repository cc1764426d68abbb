//! Two call engines in one process, talking WebRTC over the loopback interface only: each hears
//! the other's test tone, nothing is lost, and muting silences the other end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use xin_core::{
    call_media::{CallMedia, MediaEvent, MediaSetup},
    call_pipeline::MediaStats,
};

/// Passes each side's signals to the other until `done` says so or time runs out.
fn relay(
    a: &CallMedia,
    a_events: &mut UnboundedReceiver<MediaEvent>,
    b: &CallMedia,
    b_events: &mut UnboundedReceiver<MediaEvent>,
    within: Duration,
    done: impl Fn(&MediaStats, &MediaStats) -> bool,
) -> (MediaStats, MediaStats) {
    let deadline = Instant::now() + within;
    loop {
        while let Ok(event) = a_events.try_recv() {
            match event {
                MediaEvent::Signal(s) => b.receive(s).unwrap(),
                MediaEvent::Failed(e) => panic!("a failed: {e}"),
                MediaEvent::Connected => {}
            }
        }
        while let Ok(event) = b_events.try_recv() {
            match event {
                MediaEvent::Signal(s) => a.receive(s).unwrap(),
                MediaEvent::Failed(e) => panic!("b failed: {e}"),
                MediaEvent::Connected => {}
            }
        }
        let (sa, sb) = (a.stats(), b.stats());
        if done(&sa, &sb) || Instant::now() > deadline {
            return (sa, sb);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn near(hz: Option<f64>, want: f64) -> bool {
    hz.is_some_and(|hz| (hz - want).abs() <= 20.0)
}

#[test]
fn two_engines_hear_each_others_tone_and_muting_silences_it() {
    let (ta, mut ra) = unbounded_channel();
    let (tb, mut rb) = unbounded_channel();
    let caller =
        CallMedia::start(MediaSetup::loopback_test(true, false, 440), ta).expect("caller media");
    let callee =
        CallMedia::start(MediaSetup::loopback_test(false, false, 1000), tb).expect("callee media");

    let (at_caller, at_callee) = relay(
        &caller,
        &mut ra,
        &callee,
        &mut rb,
        Duration::from_secs(20),
        |a, b| {
            a.audio_packets > 100
                && b.audio_packets > 100
                && near(a.tone_hz, 1000.0)
                && near(b.tone_hz, 440.0)
        },
    );
    assert!(
        at_caller.connected && at_callee.connected,
        "{at_caller:?} {at_callee:?}"
    );
    assert!(at_caller.audio_packets > 100, "{at_caller:?}");
    assert!(at_callee.audio_packets > 100, "{at_callee:?}");
    assert!(
        near(at_caller.tone_hz, 1000.0),
        "the caller hears {at_caller:?}"
    );
    assert!(
        near(at_callee.tone_hz, 440.0),
        "the callee hears {at_callee:?}"
    );
    assert!(
        at_callee.level_db.is_some_and(|db| db > -30.0),
        "{at_callee:?}"
    );

    caller.set_muted(true);
    let (_, muted) = relay(
        &caller,
        &mut ra,
        &callee,
        &mut rb,
        Duration::from_secs(5),
        |_, b| b.level_db.is_some_and(|db| db < -60.0),
    );
    assert!(
        muted.level_db.is_some_and(|db| db < -60.0),
        "muted, the callee still hears {muted:?}"
    );
}

#[test]
fn a_video_call_decodes_frames_both_ways() {
    let (ta, mut ra) = unbounded_channel();
    let (tb, mut rb) = unbounded_channel();
    let caller =
        CallMedia::start(MediaSetup::loopback_test(true, true, 440), ta).expect("caller media");
    let callee =
        CallMedia::start(MediaSetup::loopback_test(false, true, 1000), tb).expect("callee media");
    let (a, b) = relay(
        &caller,
        &mut ra,
        &callee,
        &mut rb,
        Duration::from_secs(25),
        |a, b| a.frames_decoded > 30 && b.frames_decoded > 30,
    );
    assert!(
        a.frames_decoded > 30 && b.frames_decoded > 30,
        "{a:?} {b:?}"
    );
    assert_eq!((b.video_width, b.video_height), (Some(640), Some(480)));
    assert!(caller
        .remote_frame()
        .is_some_and(|f| f.starts_with(&[0xFF, 0xD8])));
    assert!(callee.local_frame().is_some());
}
