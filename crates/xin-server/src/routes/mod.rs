//! One router per domain, assembled with their OpenAPI descriptions.

mod accounts;
mod blobs;
mod calls;
mod contacts;
mod conversations;
mod devices;
mod events;
mod health;
mod login_tickets;
mod mini_programs;
mod moments;
mod official;
mod official_admin;
mod payments;
mod realtime;
mod uploads;
mod wallet;

use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Xin API", description = "Accounts, devices and QR login for Xin."),
    modifiers(&BearerAuth),
    components(schemas(xin_proto::ErrorBody, xin_proto::ServerEvent))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// Every `/api/v1` route, each registered together with its OpenAPI description.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(health::router())
        .merge(accounts::router())
        .merge(devices::router())
        .merge(login_tickets::router())
        .merge(realtime::router())
        .merge(calls::router())
        .merge(contacts::router())
        .merge(conversations::router())
        .merge(events::router())
        .merge(uploads::router())
        .merge(blobs::router())
        .merge(wallet::router())
        .merge(payments::router())
        .merge(moments::router())
        .merge(official::router())
        .merge(official_admin::router())
        .merge(mini_programs::router())
}
