//! The UI's TypeScript types, generated from the Rust ones.
//!
//! `cargo xtask gen-types` writes them to `ui/src/bindings.ts`; a test in `xin-core` fails when
//! the committed file differs, so the UI can never drift from the Rust code.

use ts_rs::TS;

macro_rules! decls {
    ($($t:ty),* $(,)?) => {
        vec![$(format!("export {}", <$t as TS>::decl())),*]
    };
}

/// `export type ...` declarations of every wire type, in a stable order.
pub fn declarations() -> Vec<String> {
    use crate::*;
    decls![
        ErrorCode,
        ErrorBody,
        ErrorDetail,
        UserProfile,
        RegisterRequest,
        SignInRequest,
        RefreshRequest,
        Session,
        Health,
        DeviceKind,
        DeviceInfo,
        Device,
        DeviceList,
        CreateTicketRequest,
        RememberedLoginRequest,
        TicketCreated,
        WaitTicketRequest,
        TicketPhase,
        TicketState,
        TicketDetails,
        ConfirmTicketRequest,
        PendingLogins,
        ServerEvent,
        UserSearch,
        SendFriendRequest,
        FriendRequestState,
        FriendRequest,
        AnswerFriendRequest,
        Contact,
        SetRemark,
        ContactList,
        ConversationKind,
        Role,
        Member,
        Conversation,
        Content,
        BlobRef,
        UploadCreated,
        Message,
        SendMessage,
        CreateGroup,
        OpenDirect,
        UpdateConversation,
        MemberSettings,
        AddMembers,
        SetRole,
        MarkRead,
        MessagePage,
        ConversationList,
        Event,
        EventBody,
        EventPage,
        Wallet,
        BankCard,
        AddCard,
        SetPin,
        BankMove,
        SendTransfer,
        MoneyTransferState,
        MoneyTransfer,
        BillKind,
        Bill,
        Bills,
        EnvelopeKind,
        SendEnvelope,
        EnvelopeState,
        Grab,
        Envelope,
        Pay,
        PaymentVia,
        Payment,
        Payee,
        NewPaymentCode,
        PaymentCode,
        Collect,
        ResetPin,
        Visibility,
        LinkCard,
        NewPost,
        MomentUser,
        MomentComment,
        Post,
        PostPage,
        NewComment,
        AlbumWindow,
        MomentsSettings,
        PersonMoments,
        ContactTags,
        MomentNoticeKind,
        MomentNotice,
        OfficialKind,
        NewOfficialAccount,
        OfficialAccount,
        OfficialAccountList,
        Follow,
        NewArticle,
        Article,
        ArticleCard,
        Reaction,
        NewBroadcast,
        Broadcast,
        BroadcastList,
        FollowerTags,
        UpdateOfficialAccount,
        Follower,
        FollowerList,
        ArticleList,
        MenuAction,
        MenuItem,
        Menu,
        OfficialMenu,
        KeywordReply,
        AutoReplies,
        OfficialMessage,
        OfficialChat,
        SendOfficialMessage,
        StaffMessage,
        InboxEntry,
        Inbox,
        SetDeveloper,
        Developer,
        WebhookEvent,
        WebhookKind,
        OfficialTokenRequest,
        OfficialToken,
        ApiReply,
        NewOfficialQr,
        OfficialQr,
        ScannedOfficialQr,
        SceneCount,
        SceneCounts,
    ]
}

/// Joins declarations into one TypeScript module.
pub fn module(decls: impl IntoIterator<Item = String>) -> String {
    let mut out = String::from(
        "// Generated from the Rust types by `cargo xtask gen-types`. Do not edit.\n\n",
    );
    for d in decls {
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
