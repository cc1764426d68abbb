// Written by src-tauri/build.rs from the #[tauri::command] functions; `cargo xtask gen-types`
// puts it here and a test fails when it drifts. Do not edit.

import { invoke } from "@tauri-apps/api/core";
import type { AppSettings, AppView, Article, BankCard, BankMove, Bill, BroadcastList, CallDeviceChoice, CallDevices, CallKind, CallVideo, CallView, ChatMessage, ChatSummary, ContactsView, Conversation, Device, Envelope, FriendCard, FriendRequest, Language, LinkCard, MediaStats, MiniProgram, MiniProgramOrder, MomentNoticeView, MomentsBadge, MomentsSettings, MoneyTransfer, NewPost, OfficialAccount, OfficialChat, OfficialMessage, OfficialUnread, PastedImage, PersonMoments, PhoneCode, Post, PostPage, Reaction, ReceiveCode, Role, SearchResults, SendEnvelope, SendTransfer, Transfer, UserProfile, VoiceRecording, Wallet, XinLink } from "../bindings";

/** A raw-body command's arguments ride in a header: JSON, every non-ASCII character escaped. */
function header(args: object): string {
  return JSON.stringify(args).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/** The desktop shell's commands. Errors arrive as `UiError`. */
export const commands = {
  /** Rings `peer`'s devices with a voice or video call. */
  startCall: (peer: string, kind: CallKind) => invoke<CallView>("start_call", { peer, kind }),
  /** Answers the call ringing here; `voice_only` answers a video call without the camera. */
  acceptCall: (voiceOnly: boolean) => invoke<void>("accept_call", { voiceOnly }),
  declineCall: () => invoke<void>("decline_call"),
  /** Cancels a call still ringing out, or hangs up the call in progress. */
  hangUp: () => invoke<void>("hang_up"),
  /** Turns the video call in progress into a voice call, for both people. */
  switchCallToVoice: () => invoke<void>("switch_call_to_voice"),
  setCallMuted: (muted: boolean) => invoke<void>("set_call_muted", { muted }),
  setCallCamera: (on: boolean) => invoke<void>("set_call_camera", { on }),
  /** The call on this device, for a call window that opens after the call began. */
  currentCall: () => invoke<CallView | null>("current_call"),
  /** What the call's media has received so far (the call window's details, and the tests). */
  callStats: () => invoke<MediaStats | null>("call_stats"),
  /** Where the call window reads the two pictures of a video call (MJPEG on the loopback server). */
  callVideo: () => invoke<CallVideo>("call_video"),
  /** Shrinks the call window to a small floating one, or brings it back to full size. */
  setCallWindowMini: (mini: boolean) => invoke<void>("set_call_window_mini", { mini }),
  /** The microphones, speakers and cameras this computer has. */
  callDevices: () => invoke<CallDevices>("call_devices"),
  callDeviceChoice: () => invoke<CallDeviceChoice>("call_device_choice"),
  /** Keeps the devices the next call uses. */
  setCallDeviceChoice: (choice: CallDeviceChoice) => invoke<void>("set_call_device_choice", { choice }),
  /** Plays a short tone on the speaker picked (the default when none). */
  testSpeaker: (speaker: string | null) => invoke<void>("test_speaker", { speaker }),
  /** Listens to the microphone picked for a moment; answers its loudest level (dBFS). */
  testMicrophone: (microphone: string | null) => invoke<number>("test_microphone", { microphone }),
  chats: () => invoke<ChatSummary[]>("chats"),
  messages: (conversation: string, beforeSeq: number | null) => invoke<ChatMessage[]>("messages", { conversation, beforeSeq }),
  sendText: (conversation: string, text: string, replyTo: string | null, mentions: string[], mentionAll: boolean) => invoke<ChatMessage>("send_text", { conversation, text, replyTo, mentions, mentionAll }),
  retrySend: (conversation: string, clientId: string) => invoke<void>("retry_send", { conversation, clientId }),
  recall: (conversation: string, message: string) => invoke<void>("recall", { conversation, message }),
  deleteForMe: (conversation: string, message: string) => invoke<void>("delete_for_me", { conversation, message }),
  markRead: (conversation: string) => invoke<void>("mark_read", { conversation }),
  setDraft: (conversation: string, draft: string) => invoke<void>("set_draft", { conversation, draft }),
  setChatSettings: (conversation: string, pinned: boolean, muted: boolean) => invoke<void>("set_chat_settings", { conversation, pinned, muted }),
  openDirect: (user: string) => invoke<Conversation>("open_direct", { user }),
  openFileTransfer: () => invoke<Conversation>("open_file_transfer"),
  createGroup: (title: string, members: string[]) => invoke<Conversation>("create_group", { title, members }),
  leaveGroup: (conversation: string) => invoke<void>("leave_group", { conversation }),
  contacts: () => invoke<ContactsView>("contacts"),
  searchUsers: (query: string) => invoke<UserProfile[]>("search_users", { query }),
  sendFriendRequest: (to: string, greeting: string) => invoke<FriendRequest>("send_friend_request", { to, greeting }),
  answerFriendRequest: (request: string, accept: boolean) => invoke<FriendRequest>("answer_friend_request", { request, accept }),
  setRemark: (friend: string, remark: string) => invoke<void>("set_remark", { friend, remark }),
  deleteContact: (friend: string) => invoke<void>("delete_contact", { friend }),
  setBlocked: (user: string, blocked: boolean) => invoke<void>("set_blocked", { user, blocked }),
  myCard: () => invoke<FriendCard>("my_card"),
  /** Saves the card to the Downloads folder and returns where. */
  saveMyCard: () => invoke<string>("save_my_card"),
  updateGroup: (conversation: string, title: string | null, announcement: string | null) => invoke<void>("update_group", { conversation, title, announcement }),
  addMembers: (conversation: string, users: string[]) => invoke<void>("add_members", { conversation, users }),
  removeMember: (conversation: string, user: string) => invoke<void>("remove_member", { conversation, user }),
  setRole: (conversation: string, user: string, role: Role) => invoke<void>("set_role", { conversation, user, role }),
  /** Contacts, chats and messages matching `q`, from the local cache. */
  search: (q: string) => invoke<SearchResults>("search", { q }),
  /** Forwards messages of chat `from` to the chats in `to`, one by one or merged into one card. */
  forward: (from: string, messages: string[], to: string[], merged: boolean) => invoke<void>("forward", { from, messages, to, merged }),
  /** Deletes several messages from this computer's view of a chat. */
  deleteMessages: (conversation: string, messages: string[]) => invoke<void>("delete_messages", { conversation, messages }),
  appView: () => invoke<AppView>("app_view"),
  serverUrl: () => invoke<string>("server_url"),
  /** The login window's "Change server". */
  askForServer: () => invoke<void>("ask_for_server"),
  /** What the user typed into the server prompt; answers the URL that answered. */
  chooseServer: (address: string) => invoke<string>("choose_server", { address }),
  /** The server prompt's "Cancel". */
  keepServer: () => invoke<void>("keep_server"),
  loginRefreshQr: () => invoke<void>("login_refresh_qr"),
  loginRemembered: () => invoke<void>("login_remembered"),
  loginSwitchAccount: () => invoke<void>("login_switch_account"),
  signOut: () => invoke<void>("sign_out"),
  /** Fresh from the server when it answers, else what the cache has. */
  devices: () => invoke<Device[]>("devices"),
  cachedDevices: () => invoke<Device[]>("cached_devices"),
  removeDevice: (id: string) => invoke<void>("remove_device", { id }),
  settings: () => invoke<AppSettings>("settings"),
  /** The language the user reads, for the words the Rust side writes. */
  setLanguage: (language: Language) => invoke<void>("set_language", { language }),
  setSettings: (settings: AppSettings) => invoke<void>("set_settings", { settings }),
  /** The links waiting to be opened, oldest first; the queue is empty afterwards. */
  takeLinks: () => invoke<XinLink[]>("take_links"),
  /** Sends the files just dropped on the window to `conversation`. */
  sendDropped: (conversation: string) => invoke<Transfer[]>("send_dropped", { conversation }),
  /** End-to-end tests cannot make the OS drag a file, so with `XIN_EMULATE_DROPS=1` in the */
  emulateDrop: (paths: string[]) => invoke<void>("emulate_drop", { paths }),
  /** The attach buttons: the system's file picker, then send what was picked. */
  pickAndSend: (conversation: string, photos: boolean) => invoke<Transfer[]>("pick_and_send", { conversation, photos }),
  /** A pasted image: its bytes, the chat and the name it gets. */
  sendPasted: (bytes: Uint8Array, args: PastedImage) => invoke<Transfer[]>("send_pasted", bytes, { headers: { "xin-args": header(args) } }),
  /** A voice message recorded in the WebView: its Opus bytes, the chat, its length and waveform. */
  sendVoice: (bytes: Uint8Array, args: VoiceRecording) => invoke<Transfer>("send_voice", bytes, { headers: { "xin-args": header(args) } }),
  transfers: () => invoke<Transfer[]>("transfers"),
  pauseTransfer: (transfer: string) => invoke<void>("pause_transfer", { transfer }),
  resumeTransfer: (transfer: string) => invoke<void>("resume_transfer", { transfer }),
  cancelTransfer: (transfer: string) => invoke<void>("cancel_transfer", { transfer }),
  downloadFile: (message: string) => invoke<Transfer>("download_file", { message }),
  /** Where the player streams a sent or downloaded video from (see `video_server`). */
  videoUrl: (transfer: string) => invoke<string>("video_url", { transfer }),
  /** Opens a sent or downloaded file with the system's app for it. */
  openTransfer: (transfer: string) => invoke<void>("open_transfer", { transfer }),
  /** Shows a sent or downloaded file in the file manager. */
  showTransfer: (transfer: string) => invoke<void>("show_transfer", { transfer }),
  /** A cached voice message's bytes. WebKitGTK's media elements cannot read an app's custom URI */
  mediaBytes: (hash: string) => invoke<ArrayBuffer>("media_bytes", { hash }),
  /** Exports a chat's whole history (HTML, JSON, photos) into a new folder in Downloads; answers */
  exportChat: (conversation: string) => invoke<string>("export_chat", { conversation }),
  /** The image viewer's "Save": a copy in the download folder; answers where. */
  saveMedia: (hash: string, stem: string) => invoke<string>("save_media", { hash, stem }),
  answerMiniProgram: (ask: number, yes: boolean) => invoke<void>("answer_mini_program", { ask, yes }),
  miniPrograms: (q: string | null) => invoke<MiniProgram[]>("mini_programs", { q }),
  pinMiniProgram: (program: string, pinned: boolean) => invoke<MiniProgram>("pin_mini_program", { program, pinned }),
  openMiniProgram: (program: string) => invoke<void>("open_mini_program", { program }),
  miniProgramCode: (program: string) => invoke<PhoneCode>("mini_program_code", { program }),
  /** Shares it into a chat as a card that opens it. */
  shareMiniProgram: (conversation: string, program: string) => invoke<ChatMessage>("share_mini_program", { conversation, program }),
  clearMiniProgramData: (program: string) => invoke<void>("clear_mini_program_data", { program }),
  payMiniProgramOrder: (order: string, pin: string) => invoke<MiniProgramOrder>("pay_mini_program_order", { order, pin }),
  moments: (before: string | null) => invoke<PostPage>("moments", { before }),
  likePost: (post: string, like: boolean) => invoke<Post>("like_post", { post, like }),
  commentPost: (post: string, text: string, replyTo: string | null) => invoke<Post>("comment_post", { post, text, replyTo }),
  deletePost: (post: string) => invoke<void>("delete_post", { post }),
  createPost: (post: NewPost) => invoke<Post>("create_post", { post }),
  cachedMoments: (before: string | null) => invoke<PostPage>("cached_moments", { before }),
  album: (user: string, before: string | null) => invoke<PostPage>("album", { user, before }),
  deleteComment: (post: string, comment: string) => invoke<void>("delete_comment", { post, comment }),
  momentNotices: () => invoke<MomentNoticeView[]>("moment_notices"),
  markMomentNoticesRead: () => invoke<void>("mark_moment_notices_read"),
  markMomentsSeen: () => invoke<void>("mark_moments_seen"),
  momentsBadge: () => invoke<MomentsBadge>("moments_badge"),
  linkPreview: (url: string) => invoke<LinkCard>("link_preview", { url }),
  setContactTags: (user: string, tags: string[]) => invoke<void>("set_contact_tags", { user, tags }),
  /** The composer's photo button: the system's picker, then the pictures are uploaded; answers */
  pickPostImages: () => invoke<string[]>("pick_post_images"),
  personMoments: (user: string) => invoke<PersonMoments>("person_moments", { user }),
  setPersonMoments: (user: string, rules: PersonMoments) => invoke<void>("set_person_moments", { user, rules }),
  momentsSettings: () => invoke<MomentsSettings>("moments_settings"),
  setMomentsSettings: (settings: MomentsSettings) => invoke<void>("set_moments_settings", { settings }),
  /** A link card was clicked: the page opens in the system's browser (web addresses only). */
  openLink: (url: string) => invoke<void>("open_link", { url }),
  subscriptions: () => invoke<BroadcastList>("subscriptions"),
  article: (article: string) => invoke<Article>("article", { article }),
  reactArticle: (article: string, reaction: Reaction) => invoke<Article>("react_article", { article, reaction }),
  officialAccounts: (q: string | null) => invoke<OfficialAccount[]>("official_accounts", { q }),
  followOfficial: (account: string, follow: boolean) => invoke<OfficialAccount>("follow_official", { account, follow }),
  officialChat: (account: string) => invoke<OfficialChat>("official_chat", { account }),
  messageOfficial: (account: string, text: string, fromMenu: boolean) => invoke<OfficialMessage[]>("message_official", { account, text, fromMenu }),
  /** Shares an article (as the reader shows it) into a chat. */
  shareArticle: (conversation: string, article: Article) => invoke<ChatMessage>("share_article", { conversation, article }),
  officialHistory: (account: string) => invoke<BroadcastList>("official_history", { account }),
  officialUnread: () => invoke<OfficialUnread[]>("official_unread"),
  /** I looked at an account's chat, or (without `account`) at Subscriptions. */
  markOfficialRead: (account: string | null) => invoke<void>("mark_official_read", { account }),
  wallet: () => invoke<Wallet>("wallet"),
  bills: () => invoke<Bill[]>("bills"),
  addCard: (number: string) => invoke<BankCard>("add_card", { number }),
  setPin: (pin: string, oldPin: string | null) => invoke<void>("set_pin", { pin, oldPin }),
  /** A top-up or a withdrawal (`withdraw`), with the UI's idempotency key for this action. */
  bankMove: (withdraw: boolean, request: BankMove) => invoke<Bill>("bank_move", { withdraw, request }),
  sendTransfer: (request: SendTransfer) => invoke<MoneyTransfer>("send_transfer", { request }),
  transfer: (transfer: string) => invoke<MoneyTransfer>("transfer", { transfer }),
  answerTransfer: (transfer: string, accept: boolean) => invoke<MoneyTransfer>("answer_transfer", { transfer, accept }),
  /** An envelope's details, and whether its revealed seed proves the split (null while secret). */
  envelope: (envelope: string) => invoke<[Envelope, boolean | null]>("envelope", { envelope }),
  grabEnvelope: (envelope: string) => invoke<Envelope>("grab_envelope", { envelope }),
  sendEnvelope: (request: SendEnvelope) => invoke<Envelope>("send_envelope", { request }),
  /** My receive code, optionally for an amount (fen) with a note. */
  receiveCode: (amountFen: number | null, note: string) => invoke<ReceiveCode>("receive_code", { amountFen, note }),
};
