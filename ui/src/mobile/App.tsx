import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import type { Call, Payment, PendingCharge, TicketDetails, UserProfile } from "../bindings";
import { callIsMine, CallScreen, callSignals } from "./Call";
import { api, ensureMediaKey, forget, onSessionEnd, realtime, stored } from "./api";
import { Auth } from "./Auth";
import { ChatsList, ChatView, openFileTransfer } from "./Chats";
import { ConfirmLogin } from "./ConfirmLogin";
import { AddByCard, ContactsPage } from "./Contacts";
import { Devices } from "./Devices";
import { LoginRequests } from "./LoginRequests";
import { PhoneWallet } from "./Money";
import { MomentsPage, NewPostPage } from "./Moments";
import { ArticlePage, FollowByCode, SubscriptionsPage } from "./Official";
import { MiniProgramPage, MiniProgramsPage } from "./MiniPrograms";
import { AccountChatPage, AccountPage, OfficialAccountsPage } from "./OfficialAccounts";
import { go, usePath } from "./router";
import { Avatar } from "../shared/Avatar";
import { Icon, type IconName } from "../shared/icons";
import { LanguageSelect } from "../shared/LanguageSelect";
import { useT } from "../shared/i18n";

// The QR decoder is most of the companion's weight: load it only when scanning.
const Scan = lazy(() => import("./Scan").then((m) => ({ default: m.Scan })));
const PayPage = lazy(() => import("./Pay").then((m) => ({ default: m.PayPage })));
const PaymentCodePage = lazy(() => import("./Pay").then((m) => ({ default: m.PaymentCodePage })));
const MerchantPage = lazy(() => import("./Pay").then((m) => ({ default: m.MerchantPage })));
const PinPage = lazy(() => import("./Pay").then((m) => ({ default: m.PinPage })));

const tabs: { path: string; label: string; icon: IconName }[] = [
  { path: "/", label: "Chats", icon: "chats" },
  { path: "/contacts", label: "Contacts", icon: "contacts" },
  { path: "/moments", label: "Moments", icon: "moments" },
  { path: "/scan", label: "Scan", icon: "scan" },
  { path: "/wallet", label: "Wallet", icon: "wallet" },
  { path: "/me", label: "Me", icon: "me" },
];

export function App() {
  const t = useT();
  const path = usePath();
  const [session, setSession] = useState(stored);
  const [requests, setRequests] = useState<TicketDetails[]>([]);
  // Bumped by every event from the realtime link: pages reload what they show.
  const [tick, setTick] = useState(0);
  // The latest payment from or to me, live: the payment code page shows the shop's charge.
  const [payment, setPayment] = useState<Payment | null>(null);
  // The latest payment-code charge waiting for (or settled by) my PIN.
  const [charge, setCharge] = useState<PendingCharge | null>(null);
  // Moments news since the tab was last open: a friend's post, a like, a comment.
  const [momentNews, setMomentNews] = useState(0);
  // The call this phone rings for, rang from or talks in, and the person on the other end.
  const [call, setCall] = useState<Call | null>(null);
  const [peer, setPeer] = useState<UserProfile | null>(null);
  const endCall = useCallback(() => setCall(null), []);
  const signedIn = session !== null;
  useEffect(() => onSessionEnd(() => setSession(null)), []);

  useEffect(() => {
    if (!signedIn) return;
    const load = () => api.waiting().then((w) => setRequests(w.tickets), () => {});
    load();
    ensureMediaKey().then((got) => got && setTick((t) => t + 1), () => {});
    return realtime((e) => {
      // On (re)connecting too: a request made before the link was up was pushed to no one.
      if (e.type === "login_request" || e.type === "hello") load();
      if (e.type === "signed_out") {
        if (e.expired) forget("session_expired");
        setSession(null);
      }
      if (e.type === "event") setTick((t) => t + 1);
      if (e.type === "event" && e.event.body.type === "payment") setPayment(e.event.body.payment);
      if (e.type === "event" && e.event.body.type === "charge") setCharge(e.event.body.charge);
      if (e.type === "event" && (e.event.body.type === "moment_notice" || e.event.body.type === "moment_posted")) setMomentNews((n) => n + 1);
      if (e.type === "call") showCall(e.call);
      if (e.type === "call_signal") callSignals.current?.(e.from_device, e.signal);
    });
  }, [signedIn]);

  /** A call's news: shown when this phone has a part in it; answered on another device of mine, it stops ringing here. */
  const showCall = (c: Call) => {
    if (!callIsMine(c)) {
      setCall((cur) => (cur?.id === c.id ? null : cur));
      return;
    }
    setCall(c);
    const meId = stored()?.user.id;
    api.conversations().then(
      (l) => setPeer(l.conversations.find((x) => x.id === c.conversation_id)?.members.find((m) => m.user.id !== meId)?.user ?? null),
      () => {},
    );
  };

  // A friend card's link (`/m/u/<Xin ID>`), perhaps opened in a computer's browser.
  const card = /^\/u\/([A-Za-z][A-Za-z0-9_]{2,31})$/.exec(path)?.[1];
  if (!session) return <Auth card={card} onSignedIn={() => setSession(stored())} />;
  if (call) return <CallScreen key={call.id} call={call} peer={peer} onClose={endCall} />;

  const ticket = /^\/l\/([A-Za-z0-9_-]+)$/.exec(path)?.[1];
  if (ticket) return <ConfirmLogin ticket={ticket} />;
  if (path === "/scan")
    return (
      <Suspense fallback={<div className="scan" />}>
        <Scan />
      </Suspense>
    );
  const me = session.user.id;
  const payee = /^\/pay\/([A-Za-z][A-Za-z0-9_]{2,31})$/.exec(path)?.[1];
  const money =
    payee !== undefined ? <PayPage handle={payee} me={me} /> : path === "/wallet/code" ? <PaymentCodePage me={me} payment={payment} charge={charge} /> : path === "/wallet/merchant" ? <MerchantPage me={me} /> : path === "/wallet/pin" ? <PinPage /> : null;
  if (money) return <Suspense fallback={<div className="app" />}>{money}</Suspense>;
  if (path === "/moments/new") return <NewPostPage />;
  if (path === "/me/devices") return <Devices onSignedOut={() => setSession(null)} />;
  if (path === "/subscriptions") return <SubscriptionsPage tick={tick} />;
  if (path === "/official") return <OfficialAccountsPage />;
  if (path === "/mini-programs") return <MiniProgramsPage />;
  const miniProgram = /^\/mp\/([0-9a-f-]{36})$/.exec(path)?.[1];
  if (miniProgram) return <MiniProgramPage key={miniProgram} id={miniProgram} />;
  const account = /^\/account\/([0-9a-f-]{36})$/.exec(path)?.[1];
  if (account) return <AccountPage id={account} />;
  const accountChat = /^\/oc\/([0-9a-f-]{36})$/.exec(path)?.[1];
  if (accountChat) return <AccountChatPage id={accountChat} tick={tick} />;
  const article = /^\/article\/([0-9a-f-]{36})$/.exec(path)?.[1];
  if (article) return <ArticlePage id={article} />;
  const official = /^\/oa\/([A-Za-z0-9_-]{16,64})$/.exec(path)?.[1];
  if (official) return <FollowByCode code={official} />;
  if (card) return <AddByCard handle={card} />;
  const chat = /^\/c\/([0-9a-f-]{36})$/.exec(path)?.[1];
  if (chat) return <ChatView id={chat} tick={tick} />;

  const title = tabs.find((t) => t.path === path)?.label ?? "Xin";
  return (
    <div className="app">
      <header className="bar">{title === "Chats" ? t("Xin") : t(title)}</header>
      <main className="page">
        <LoginRequests requests={requests} onDone={(id) => setRequests((r) => r.filter((t) => t.ticket_id !== id))} />
        {path === "/me" ? (
          <Me name={session.user.display_name} handle={session.user.handle} hue={session.user.avatar_hue} onSignedOut={() => setSession(null)} />
        ) : path === "/" ? (
          <ChatsList tick={tick} />
        ) : path === "/contacts" ? (
          <ContactsPage tick={tick} />
        ) : path === "/moments" ? (
          <MomentsPage tick={tick} />
        ) : path === "/wallet" ? (
          <PhoneWallet tick={tick} />
        ) : (
          <p className="empty">{emptyText[path] ?? t("Nothing here yet.")}</p>
        )}
      </main>
      <nav className="tabbar">
        {tabs.map((tab) => (
          <button
            key={tab.path}
            className={tab.path === path ? "tab active" : "tab"}
            onClick={() => {
              if (tab.path === "/moments") setMomentNews(0);
              go(tab.path);
            }}
            data-testid={`tab-${tab.label.toLowerCase()}`}
          >
            <Icon name={tab.icon} size={24} />
            {tab.path === "/moments" && momentNews > 0 && path !== "/moments" && (
              <span className="tab-badge" data-testid="moments-badge">
                {momentNews}
              </span>
            )}
            {t(tab.label)}
          </button>
        ))}
      </nav>
    </div>
  );
}

const emptyText: Record<string, string> = {};

function Me({ name, handle, hue, onSignedOut }: { name: string; handle: string; hue: number; onSignedOut: () => void }) {
  const t = useT();
  return (
    <>
      <section className="card me">
        <Avatar user={{ display_name: name, avatar_hue: hue }} size={60} />
        <div>
          <div className="me-name">{name}</div>
          <div className="muted">{t("Xin ID: {{id}}", { id: handle })}</div>
        </div>
      </section>
      <section className="card list">
        <button className="row" onClick={openFileTransfer} data-testid="me-send-to-computer">
          <span>{t("Send to computer")}</span>
          <span className="chev">›</span>
        </button>
        <button className="row" onClick={() => go("/me/devices")} data-testid="me-devices">
          <span>{t("Devices")}</span>
          <span className="chev">›</span>
        </button>
        <label className="row">
          <span>{t("Language")}</span>
          <LanguageSelect />
        </label>
        <button className="row" onClick={() => api.signOut().then(onSignedOut)} data-testid="me-log-out">
          <span className="danger">{t("Log out")}</span>
        </button>
      </section>
    </>
  );
}
