//! tauri-build, told where this layout keeps capabilities and which commands the app has:
//! each command gets an `allow-…` permission, and the capability grants exactly those.

const COMMANDS: &[&str] = &[
    "app_view",
    "server_url",
    "login_refresh_qr",
    "login_remembered",
    "login_switch_account",
    "sign_out",
    "devices",
    "cached_devices",
    "remove_device",
    "settings",
    "set_settings",
    "chats",
    "update_group",
    "add_members",
    "remove_member",
    "set_role",
    "my_card",
    "save_my_card",
    "messages",
    "send_text",
    "retry_send",
    "recall",
    "delete_for_me",
    "mark_read",
    "set_draft",
    "set_chat_settings",
    "open_direct",
    "open_file_transfer",
    "create_group",
    "leave_group",
    "contacts",
    "search_users",
    "send_friend_request",
    "answer_friend_request",
    "set_remark",
    "delete_contact",
    "set_blocked",
    "send_files",
    "pick_and_send",
    "send_pasted",
    "transfers",
    "pause_transfer",
    "resume_transfer",
    "cancel_transfer",
    "download_file",
    "open_transfer",
    "show_transfer",
    "save_media",
    "media_bytes",
    "send_voice",
    "video_url",
    "wallet",
    "bills",
    "add_card",
    "set_pin",
    "bank_move",
    "send_transfer",
    "transfer",
    "answer_transfer",
    "envelope",
    "grab_envelope",
    "send_envelope",
];

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri-build: {e:#}");
    }
}
