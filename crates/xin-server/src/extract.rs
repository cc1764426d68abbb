//! Request extractors whose failures answer in Xin's error shape.

use std::net::SocketAddr;

use axum::{
    extract::{rejection::JsonRejection, ConnectInfo, FromRequest, FromRequestParts, Request},
    http::{request::Parts, StatusCode},
};
use serde::de::DeserializeOwned;
use xin_proto::ErrorCode;

use crate::{client_address::client_address, error::ApiError, state::AppState};

/// `axum::Json`, but a bad body is `invalid_request` / `payload_too_large`, not plain text.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large.");
    }
    match &rejection {
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::invalid("Send the body as JSON with Content-Type: application/json.")
        }
        JsonRejection::JsonSyntaxError(_) => ApiError::invalid("The body is not valid JSON."),
        JsonRejection::JsonDataError(e) => {
            ApiError::invalid(format!("The body does not fit this request: {e}"))
        }
        other => ApiError::invalid(format!("The body could not be read: {other}")),
    }
}

/// The client's IP address, as text: the socket's peer, or behind a trusted proxy the client it
/// names (see `client_address`). "unknown" when not served over a socket, as in `oneshot` tests.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Ok(ClientIp("unknown".to_string()));
        };
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let ip = client_address(peer.0.ip(), &forwarded, &state.config.trusted_proxies);
        Ok(ClientIp(ip.to_string()))
    }
}

/// `axum::extract::Query`, but a bad query string is `invalid_request` in Xin's error shape.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|e| {
                ApiError::invalid(format!("The query string does not fit this request: {e}"))
            })
    }
}
