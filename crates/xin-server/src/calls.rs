//! Calls as the service runs them: who is told what when a call changes, the ICE servers each
//! device gets, the ring's timeout and the calls a signed-out device leaves behind. The state
//! itself is `store::calls`.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use uuid::Uuid;
use xin_proto::{Call, IceServer, ServerEvent};

use crate::state::AppState;

/// How long TURN credentials work: a call longer than this keeps its relay, a new allocation
/// needs a new call.
const TURN_CREDENTIAL_SECS: i64 = 6 * 3600;

/// The ICE servers `user`'s device uses in a call: the configured TURN servers with
/// credentials of the TURN REST scheme (`expiry:user`, HMAC-SHA1 of it with the shared secret).
pub fn ice_servers(state: &AppState, user: Uuid) -> Vec<IceServer> {
    let (urls, Some(secret)) = (&state.config.turn_urls, &state.config.turn_secret) else {
        return Vec::new();
    };
    if urls.is_empty() {
        return Vec::new();
    }
    let expiry = crate::time::now_ms() / 1000 + TURN_CREDENTIAL_SECS;
    let username = format!("{expiry}:{user}");
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()) else {
        return Vec::new();
    };
    mac.update(username.as_bytes());
    let credential = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    vec![IceServer {
        urls: urls.clone(),
        username: Some(username),
        credential: Some(credential),
    }]
}

/// `call` as `user` is given it: with their ICE servers while it is not over.
pub fn for_user(state: &AppState, call: &Call, user: Uuid) -> Call {
    let mut call = call.clone();
    if call.state != xin_proto::CallState::Ended {
        call.ice_servers = ice_servers(state, user);
    }
    call
}

/// Tells every device of both people how `call` stands now (ringing, answered, over).
pub fn announce(state: &AppState, call: &Call) {
    for user in [call.caller, call.callee] {
        state.hub.send_to_user(
            user,
            &ServerEvent::Call {
                call: for_user(state, call, user),
            },
        );
    }
}

/// Ends the calls a signed-out device was in, and tells both sides.
pub async fn device_gone(state: &AppState, device: Uuid) {
    match state.store.end_calls_of_device(device).await {
        Ok(ended) => ended.iter().for_each(|call| announce(state, call)),
        Err(e) => tracing::warn!(%device, "end the calls of a signed-out device: {e}"),
    }
}

/// Ends calls nobody answered within `--call-ring-secs`, for the life of the server. Every node
/// runs it; each call is ended once (the store locks it).
pub async fn run_ring_timeouts(state: AppState) {
    let ring_ms =
        i64::try_from(state.config.call_ring_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    // A call ends at most a quarter of its ring (and never more than a second) late.
    let every = std::time::Duration::from_millis(
        u64::try_from(ring_ms / 4).unwrap_or(1000).clamp(50, 1000),
    );
    loop {
        tokio::time::sleep(every).await;
        match state
            .store
            .expire_rings(crate::time::now_ms().saturating_sub(ring_ms))
            .await
        {
            Ok(ended) => ended.iter().for_each(|call| announce(&state, call)),
            Err(e) => tracing::warn!("call ring timeouts: {e}"),
        }
    }
}
