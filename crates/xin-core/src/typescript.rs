//! The UI's TypeScript types: the wire types plus the engine's events and errors.

use ts_rs::TS;

/// The whole `ui/src/bindings.ts`, as `cargo xtask gen-types` writes it.
pub fn bindings() -> String {
    let mut decls = xin_proto::typescript::declarations();
    decls.extend([
        format!("export {}", crate::events::CoreEvent::decl()),
        format!("export {}", crate::events::AppView::decl()),
        format!("export {}", crate::events::LoginView::decl()),
        format!("export {}", crate::links::XinLink::decl()),
        format!("export {}", crate::error::UiError::decl()),
        format!("export {}", crate::error::UiCode::decl()),
        format!("export {}", crate::error::LocalCode::decl()),
        format!("export {}", crate::views::ChatSummary::decl()),
        format!("export {}", crate::views::SendState::decl()),
        format!("export {}", crate::views::ChatMessage::decl()),
        format!("export {}", crate::views::ContactsView::decl()),
        format!("export {}", crate::views::FriendCard::decl()),
        format!("export {}", crate::views::PhoneCode::decl()),
        format!("export {}", crate::events::ExportProgress::decl()),
        format!("export {}", crate::views::ReceiveCode::decl()),
        format!("export {}", crate::notify::Incoming::decl()),
        format!("export {}", crate::events::AppSettings::decl()),
        format!("export {}", crate::language::Language::decl()),
        format!("export {}", crate::events::LoginNotice::decl()),
        format!("export {}", crate::transfer_cache::Transfer::decl()),
        format!("export {}", crate::transfer_cache::Direction::decl()),
        format!("export {}", crate::transfer_cache::TransferState::decl()),
        format!("export {}", crate::moments_cache::MomentNoticeView::decl()),
        format!("export {}", crate::moments_cache::MomentsBadge::decl()),
        format!("export {}", crate::official_cache::OfficialUnread::decl()),
        format!("export {}", crate::search::MessageHit::decl()),
        format!("export {}", crate::search::SearchResults::decl()),
        format!("export {}", crate::search::ArticleHit::decl()),
        format!("export {}", crate::files::PastedImage::decl()),
        format!("export {}", crate::files::VoiceRecording::decl()),
        format!("export {}", crate::call_view::CallView::decl()),
        format!("export {}", crate::call_view::CallVideo::decl()),
        format!("export {}", crate::call_devices::MediaDevice::decl()),
        format!("export {}", crate::call_devices::CallDevices::decl()),
        format!("export {}", crate::call_devices::CallDeviceChoice::decl()),
        format!("export {}", crate::call_pipeline::MediaStats::decl()),
    ]);
    xin_proto::typescript::module(decls)
}

#[cfg(test)]
mod tests {
    /// Fails when the committed TypeScript types drift from the Rust ones.
    #[test]
    fn committed_bindings_match_the_rust_types() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings.ts");
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == super::bindings(),
            "ui/src/bindings.ts is out of date: run `cargo xtask gen-types` and commit it"
        );
    }
}
