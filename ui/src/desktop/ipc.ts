import { convertFileSrc, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { localError } from "../shared/errors";
import type { Language, MiniProgram, MiniProgramOrder, PhoneCode, Article, BroadcastList, OfficialUnread, SearchResults, OfficialAccount, OfficialChat, OfficialMessage, Reaction, LinkCard, MomentNoticeView, MomentsBadge, NewPost, MomentsSettings, PersonMoments, Post, PostPage, Transfer, ReceiveCode, Envelope, SendEnvelope, BankCard, BankMove, Bill, MoneyTransfer, SendTransfer, Wallet, AppSettings, AppView, FriendCard, Role, ChatMessage, ChatSummary, ContactsView, Conversation, CoreEvent, Device, FriendRequest, UiError, UserProfile } from "../bindings";

/** Typed wrappers over the shell's commands. Errors arrive as UiError. */
export const ipc = {
  exportChat: (conversation: string) => invoke<string>("export_chat", { conversation }),
  miniPrograms: (q: string | null) => invoke<MiniProgram[]>("mini_programs", { q }),
  pinMiniProgram: (program: string, pinned: boolean) => invoke<MiniProgram>("pin_mini_program", { program, pinned }),
  openMiniProgram: (program: string) => invoke<void>("open_mini_program", { program }),
  shareMiniProgram: (conversation: string, program: string) => invoke<ChatMessage>("share_mini_program", { conversation, program }),
  miniProgramCode: (program: string) => invoke<PhoneCode>("mini_program_code", { program }),
  clearMiniProgramData: (program: string) => invoke<void>("clear_mini_program_data", { program }),
  payMiniProgramOrder: (order: string, pin: string) => invoke<MiniProgramOrder>("pay_mini_program_order", { order, pin }),
  answerMiniProgram: (ask: number, yes: boolean) => invoke<void>("answer_mini_program", { ask, yes }),
  appView: () => invoke<AppView>("app_view"),
  serverUrl: () => invoke<string>("server_url"),
  refreshQr: () => invoke<void>("login_refresh_qr"),
  loginRemembered: () => invoke<void>("login_remembered"),
  switchAccount: () => invoke<void>("login_switch_account"),
  signOut: () => invoke<void>("sign_out"),
  devices: () => invoke<Device[]>("devices"),
  cachedDevices: () => invoke<Device[]>("cached_devices"),
  removeDevice: (id: string) => invoke<void>("remove_device", { id }),
  myCard: () => invoke<FriendCard>("my_card"),
  saveMyCard: () => invoke<string>("save_my_card"),
  settings: () => invoke<AppSettings>("settings"),
  setSettings: (settings: AppSettings) => invoke<void>("set_settings", { settings }),
  setLanguage: (language: Language) => invoke<void>("set_language", { language }),
  chats: () => invoke<ChatSummary[]>("chats"),
  messages: (conversation: string, beforeSeq?: number) => invoke<ChatMessage[]>("messages", { conversation, beforeSeq: beforeSeq ?? null }),
  sendText: (conversation: string, text: string, replyTo: string | null, mentions: string[] = [], mentionAll = false) =>
    invoke<ChatMessage>("send_text", { conversation, text, replyTo, mentions, mentionAll }),
  retrySend: (conversation: string, clientId: string) => invoke<void>("retry_send", { conversation, clientId }),
  recall: (conversation: string, message: string) => invoke<void>("recall", { conversation, message }),
  deleteForMe: (conversation: string, message: string) => invoke<void>("delete_for_me", { conversation, message }),
  deleteMessages: (conversation: string, messages: string[]) => invoke<void>("delete_messages", { conversation, messages }),
  forward: (from: string, messages: string[], to: string[], merged: boolean) => invoke<void>("forward", { from, messages, to, merged }),
  markRead: (conversation: string) => invoke<void>("mark_read", { conversation }),
  setDraft: (conversation: string, draft: string) => invoke<void>("set_draft", { conversation, draft }),
  setChatSettings: (conversation: string, pinned: boolean, muted: boolean) => invoke<void>("set_chat_settings", { conversation, pinned, muted }),
  openDirect: (user: string) => invoke<Conversation>("open_direct", { user }),
  openFileTransfer: () => invoke<Conversation>("open_file_transfer"),
  createGroup: (title: string, members: string[]) => invoke<Conversation>("create_group", { title, members }),
  leaveGroup: (conversation: string) => invoke<void>("leave_group", { conversation }),
  updateGroup: (conversation: string, title: string | null, announcement: string | null) => invoke<void>("update_group", { conversation, title, announcement }),
  addMembers: (conversation: string, users: string[]) => invoke<void>("add_members", { conversation, users }),
  removeMember: (conversation: string, user: string) => invoke<void>("remove_member", { conversation, user }),
  setRole: (conversation: string, user: string, role: Role) => invoke<void>("set_role", { conversation, user, role }),
  contacts: () => invoke<ContactsView>("contacts"),
  searchUsers: (query: string) => invoke<UserProfile[]>("search_users", { query }),
  sendFriendRequest: (to: string, greeting: string) => invoke<FriendRequest>("send_friend_request", { to, greeting }),
  answerFriendRequest: (request: string, accept: boolean) => invoke<FriendRequest>("answer_friend_request", { request, accept }),
  setRemark: (friend: string, remark: string) => invoke<void>("set_remark", { friend, remark }),
  deleteContact: (friend: string) => invoke<void>("delete_contact", { friend }),
  setBlocked: (user: string, blocked: boolean) => invoke<void>("set_blocked", { user, blocked }),
  /** The files just dropped on the window: their paths stay in the Rust shell (see drops.rs). */
  sendDropped: (conversation: string) => invoke<Transfer[]>("send_dropped", { conversation }),
  pickAndSend: (conversation: string, photos: boolean) => invoke<Transfer[]>("pick_and_send", { conversation, photos }),
  sendPasted: (conversation: string, name: string, bytes: Uint8Array) => invoke<Transfer[]>("send_pasted", bytes, { headers: { conversation, name } }),
  transfers: () => invoke<Transfer[]>("transfers"),
  pauseTransfer: (transfer: string) => invoke<void>("pause_transfer", { transfer }),
  resumeTransfer: (transfer: string) => invoke<void>("resume_transfer", { transfer }),
  cancelTransfer: (transfer: string) => invoke<void>("cancel_transfer", { transfer }),
  downloadFile: (message: string) => invoke<Transfer>("download_file", { message }),
  openTransfer: (transfer: string) => invoke<void>("open_transfer", { transfer }),
  showTransfer: (transfer: string) => invoke<void>("show_transfer", { transfer }),
  sendVoice: (conversation: string, audio: Uint8Array, durationMs: number, waveform: number[]) =>
    invoke<Transfer>("send_voice", audio, { headers: { conversation, "duration-ms": String(durationMs), waveform: btoa(String.fromCharCode(...waveform)) } }),
  mediaBytes: (hash: string) => invoke<ArrayBuffer>("media_bytes", { hash }),
  saveMedia: (hash: string, stem: string) => invoke<string>("save_media", { hash, stem }),
  videoUrl: (transfer: string) => invoke<string>("video_url", { transfer }),
  wallet: () => invoke<Wallet>("wallet"),
  bills: () => invoke<Bill[]>("bills"),
  addCard: (number: string) => invoke<BankCard>("add_card", { number }),
  setPin: (pin: string, oldPin: string | null) => invoke<void>("set_pin", { pin, oldPin }),
  bankMove: (withdraw: boolean, request: BankMove) => invoke<Bill>("bank_move", { withdraw, request }),
  sendTransfer: (request: SendTransfer) => invoke<MoneyTransfer>("send_transfer", { request }),
  moneyTransfer: (transfer: string) => invoke<MoneyTransfer>("transfer", { transfer }),
  answerTransfer: (transfer: string, accept: boolean) => invoke<MoneyTransfer>("answer_transfer", { transfer, accept }),
  envelope: (envelope: string) => invoke<[Envelope, boolean | null]>("envelope", { envelope }),
  grabEnvelope: (envelope: string) => invoke<Envelope>("grab_envelope", { envelope }),
  sendEnvelope: (request: SendEnvelope) => invoke<Envelope>("send_envelope", { request }),
  receiveCode: (amountFen: number | null, note: string) => invoke<ReceiveCode>("receive_code", { amountFen, note }),
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
  openLink: (url: string) => invoke<void>("open_link", { url }),
  subscriptions: () => invoke<BroadcastList>("subscriptions"),
  article: (article: string) => invoke<Article>("article", { article }),
  reactArticle: (article: string, reaction: Reaction) => invoke<Article>("react_article", { article, reaction }),
  officialAccounts: (q: string | null) => invoke<OfficialAccount[]>("official_accounts", { q }),
  followOfficial: (account: string, follow: boolean) => invoke<OfficialAccount>("follow_official", { account, follow }),
  shareArticle: (conversation: string, article: Article) => invoke<ChatMessage>("share_article", { conversation, article }),
  officialHistory: (account: string) => invoke<BroadcastList>("official_history", { account }),
  officialUnread: () => invoke<OfficialUnread[]>("official_unread"),
  search: (q: string) => invoke<SearchResults>("search", { q }),
  markOfficialRead: (account: string | null) => invoke<void>("mark_official_read", { account }),
  officialChat: (account: string) => invoke<OfficialChat>("official_chat", { account }),
  messageOfficial: (account: string, text: string, fromMenu: boolean) => invoke<OfficialMessage[]>("message_official", { account, text, fromMenu }),
  pickPostImages: () => invoke<string[]>("pick_post_images"),
  personMoments: (user: string) => invoke<PersonMoments>("person_moments", { user }),
  setPersonMoments: (user: string, rules: PersonMoments) => invoke<void>("set_person_moments", { user, rules }),
  momentsSettings: () => invoke<MomentsSettings>("moments_settings"),
  setMomentsSettings: (settings: MomentsSettings) => invoke<void>("set_moments_settings", { settings }),
};

/** Where the UI loads a cached photo, thumbnail or voice message from (the app's own scheme). */
export function mediaUrl(hash: string): string {
  return convertFileSrc(hash, "xin-media");
}

/** A question a mini-program asks the user, shown in Xin's own window. */
export type MiniProgramAsk = { id: number; name: string; icon: string } & ({ kind: "profile" } | { kind: "payment"; order: MiniProgramOrder });

export function onMiniProgramAsk(handler: (a: MiniProgramAsk) => void): Promise<UnlistenFn> {
  return listen<MiniProgramAsk>("xin://mini-program-ask", (e) => handler(e.payload));
}

export function onCoreEvent(handler: (e: CoreEvent) => void): Promise<UnlistenFn> {
  return listen<CoreEvent>("xin://event", (e) => handler(e.payload));
}

export function errorText(e: unknown): string {
  if (e && typeof e === "object" && "message" in e) return localError((e as UiError).code, String((e as UiError).message));
  return String(e);
}
