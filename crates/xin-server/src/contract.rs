//! The API contract: what the OpenAPI document promises each operation may answer.
//!
//! [`complete`] adds the statuses every operation of a kind can answer (401 where a token is
//! needed, 400 and 413 where there is a body) so that no operation leaves them out. With
//! `Config::check_contract` (the tests' servers), [`check`] marks any response whose status its
//! operation does not document with `x-xin-undocumented`, and the tests' client fails on it:
//! every test that drives the API checks the document too.

use std::{
    collections::{BTreeSet, HashMap},
    sync::Arc,
};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, Method},
    middleware::Next,
    response::Response,
};
use utoipa::openapi::{
    path::Operation, schema::Ref, ContentBuilder, OpenApi, RefOr, ResponseBuilder,
};

/// The header that marks a response its operation does not document.
pub const UNDOCUMENTED: &str = "x-xin-undocumented";

fn operations(doc: &mut OpenApi) -> impl Iterator<Item = (Method, &String, &mut Operation)> {
    doc.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            (Method::GET, item.get.as_mut()),
            (Method::PUT, item.put.as_mut()),
            (Method::POST, item.post.as_mut()),
            (Method::DELETE, item.delete.as_mut()),
            (Method::OPTIONS, item.options.as_mut()),
            (Method::HEAD, item.head.as_mut()),
            (Method::PATCH, item.patch.as_mut()),
        ]
        .into_iter()
        .filter_map(move |(m, op)| op.map(|op| (m, path, op)))
    })
}

fn error_response(why: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(why)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .into()
}

/// Adds the statuses every operation of its kind can answer.
pub fn complete(doc: &mut OpenApi) {
    for (_, _, op) in operations(doc) {
        let mut add = |status: &str, why: &str| {
            op.responses
                .responses
                .entry(status.to_string())
                .or_insert_with(|| error_response(why));
        };
        if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
            add(
                "401",
                "No access token, or one that expired or was revoked (`unauthorized`, `token_expired`, `session_revoked`).",
            );
        }
        let has_query = op.parameters.as_ref().is_some_and(|ps| {
            ps.iter()
                .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
        });
        if has_query {
            add(
                "400",
                "A query parameter is missing or not of its type (`invalid_request`).",
            );
        }
        if op.request_body.is_some() {
            add(
                "400",
                "The body is not valid JSON of this shape, or a field breaks its rule (`invalid_request`).",
            );
            add(
                "413",
                "The body is larger than the operation takes (`payload_too_large`).",
            );
        }
    }
}

/// Each operation's documented statuses, by method and path template.
pub struct Documented(HashMap<(Method, String), BTreeSet<u16>>);

impl Documented {
    pub fn of(doc: &OpenApi) -> Self {
        let mut doc = doc.clone();
        let map = operations(&mut doc)
            .map(|(m, path, op)| {
                let statuses = op
                    .responses
                    .responses
                    .keys()
                    .filter_map(|s| s.parse().ok())
                    .collect();
                ((m, path.clone()), statuses)
            })
            .collect();
        Self(map)
    }
}

/// Marks a response whose status its operation does not document (server errors aside: they
/// are bugs, not part of the contract).
pub async fn check(
    State(documented): State<Arc<Documented>>,
    req: Request,
    next: Next,
) -> Response {
    let key = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| (req.method().clone(), p.as_str().to_string()));
    let mut response = next.run(req).await;
    let status = response.status();
    if let Some(key) = key {
        let known = documented.0.get(&key);
        if !status.is_server_error() && known.is_some_and(|s| !s.contains(&status.as_u16())) {
            tracing::error!(
                "{} {} answered {status}, which its operation does not document",
                key.0,
                key.1
            );
            response
                .headers_mut()
                .insert(UNDOCUMENTED, HeaderValue::from(status.as_u16()));
        }
    }
    response
}
