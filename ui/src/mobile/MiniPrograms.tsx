import { useEffect, useRef, useState } from "react";
import type { LoginCode, MiniProgram, MiniProgramList, MiniProgramOrder, MiniProgramResponse } from "../bindings";
import { yuan } from "../shared/format";
import { authed, errorMessage, stored } from "./api";
import { Page } from "./Page";
import { PinInput } from "./PinInput";
import { go } from "./router";
import { useT } from "../shared/i18n";

/** Mini programs: pinned and recently used, or a search of all of them. */
export function MiniProgramsPage() {
  const t = useT();
  const [query, setQuery] = useState("");
  const [list, setList] = useState<MiniProgram[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    const q = query.trim();
    const t = setTimeout(
      () => authed<MiniProgramList>("GET", q ? `/mini-programs?q=${encodeURIComponent(q)}` : "/mini-programs").then((l) => setList(l.mini_programs), (e) => setError(errorMessage(e))),
      q ? 250 : 0,
    );
    return () => clearTimeout(t);
  }, [query]);
  return (
    <Page title={t("Mini Programs")} back={() => history.back()} testid="phone-mini-programs">
      <div className="search">
        <input placeholder={t("Search mini programs")} value={query} onChange={(e) => setQuery(e.target.value)} data-testid="phone-mini-program-search" />
      </div>
      {error && <p className="error">{error}</p>}
      <section className="card list">
        {list?.length === 0 && <p className="empty">{query ? t("No mini programs found.") : t("Mini programs you open or pin appear here.")}</p>}
        {list?.map((m) => (
          <button key={m.id} className="row" onClick={() => go(`/mp/${m.id}`)} data-testid="phone-mini-program" data-name={m.name}>
            <img className="mini-icon" src={m.icon} alt="" />
            <span className="device-text">
              {m.name}
              <small>{m.pinned ? `${t("Pinned")} · ` : ""}{m.publisher}</small>
            </span>
          </button>
        ))}
      </section>
    </Page>
  );
}

type Call =
  | { type: "login" }
  | { type: "get_profile" }
  | { type: "request"; request: unknown }
  | { type: "request_payment"; order_id: string }
  | { type: "storage_get"; key: string }
  | { type: "storage_set"; key: string; value: string }
  | { type: "storage_remove"; key: string }
  | { type: "storage_keys" };

type Question = { kind: "profile" } | { kind: "payment"; order: MiniProgramOrder };
type Ask = Question & { answer: (yes: boolean) => void };

const MAX_STORAGE = 10 * 1024 * 1024;

class Refused extends Error {
  constructor(
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Its storage: one localStorage entry per user and mini-program, at most 10 MiB. */
function storageOf(program: string) {
  const key = `xin-mp:${stored()?.user.id ?? ""}:${program}`;
  const read = (): Record<string, string> => JSON.parse(localStorage.getItem(key) ?? "{}");
  const write = (map: Record<string, string>) => {
    const size = Object.entries(map).reduce((n, [k, v]) => n + k.length + v.length, 0);
    if (size > MAX_STORAGE) throw new Refused("quota_exceeded", "A mini-program keeps at most 10 MiB.");
    localStorage.setItem(key, JSON.stringify(map));
  };
  return { read, write };
}

/** A mini-program on the phone: its pages in a sandboxed frame (scripts, but no origin of its
 *  own, no access to this page or the user's session), talking to Xin only through messages
 *  that are checked here and on the server. */
export function MiniProgramPage({ id }: { id: string }) {
  const t = useT();
  const [program, setProgram] = useState<MiniProgram | null>(null);
  const [error, setError] = useState("");
  const [ask, setAsk] = useState<Ask | null>(null);
  const frame = useRef<HTMLIFrameElement>(null);
  useEffect(() => {
    authed<MiniProgram>("POST", `/mini-programs/${id}/open`).then(setProgram, (e) => setError(errorMessage(e)));
  }, [id]);

  useEffect(() => {
    if (!program) return;
    const question = (q: Question) => new Promise<boolean>((resolve) => setAsk({ ...q, answer: (yes: boolean) => (setAsk(null), resolve(yes)) }));
    const may = (p: "profile" | "payment") => {
      if (!program.permissions.includes(p)) throw new Refused("not_allowed", `${program.name} did not ask for this permission in app.json.`);
    };
    const handle = async (call: Call): Promise<unknown> => {
      const store = storageOf(program.id);
      switch (call.type) {
        case "login": {
          const code = await authed<LoginCode>("POST", `/mini-programs/${program.id}/login-codes`);
          return { code: code.code, expires_at: code.expires_at };
        }
        case "get_profile": {
          may("profile");
          if (!(await question({ kind: "profile" }))) throw new Refused("not_allowed", "The user did not share their profile.");
          const me = stored()?.user;
          return { name: me?.display_name, avatar_hue: me?.avatar_hue };
        }
        case "request":
          return authed<MiniProgramResponse>("POST", `/mini-programs/${program.id}/request`, call.request);
        case "request_payment": {
          may("payment");
          const order = await authed<MiniProgramOrder>("GET", `/mini-program-orders/${encodeURIComponent(call.order_id)}`);
          if (order.mini_program_id !== program.id) throw new Refused("not_allowed", "This order is not this mini-program's.");
          if (order.state !== "paid" && !(await question({ kind: "payment", order }))) throw new Refused("cancelled", "The payment was cancelled.");
          // What counts is the server's word, not the sheet's.
          const now = await authed<MiniProgramOrder>("GET", `/mini-program-orders/${order.id}`);
          if (now.state !== "paid") throw new Refused("cancelled", "The order was not paid.");
          return { paid: true, order: now };
        }
        case "storage_get":
          return store.read()[call.key] ?? null;
        case "storage_set":
          store.write({ ...store.read(), [call.key]: call.value });
          return null;
        case "storage_remove": {
          const map = store.read();
          delete map[call.key];
          store.write(map);
          return null;
        }
        case "storage_keys":
          return Object.keys(store.read());
        default:
          throw new Refused("invalid_request", "Unknown call.");
      }
    };
    const onMessage = (e: MessageEvent) => {
      // Only this frame's page speaks for the mini-program.
      const source = frame.current?.contentWindow;
      if (!source || e.source !== source) return;
      const m = e.data as { xin?: number; id?: number; call?: Call };
      if (m?.xin !== 1 || typeof m.id !== "number" || !m.call) return;
      handle(m.call).then(
        (ok) => source.postMessage({ xin: 1, id: m.id, ok }, "*"),
        (err) => source.postMessage({ xin: 1, id: m.id, error: { code: (err as Refused).code ?? "error", message: errorMessage(err) } }, "*"),
      );
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, [program]);

  const home = program && `/api/v1/mini-programs/${program.id}/files/${program.release.version}/index.html`;
  return (
    <Page title={program?.name ?? t("Mini Program")} back={() => history.back()} testid="phone-mini-program-page" className="mini-program-page">
      {error && <p className="error">{error}</p>}
      {home && <iframe ref={frame} className="mini-frame" src={home} sandbox="allow-scripts" title={program.name} data-testid="phone-mini-program-frame" />}
      {ask && program && (ask.kind === "profile" ? <ProfileSheet program={program} onAnswer={ask.answer} /> : <PaymentSheet program={program} order={ask.order} onAnswer={ask.answer} />)}
    </Page>
  );
}

function ProfileSheet({ program, onAnswer }: { program: MiniProgram; onAnswer: (yes: boolean) => void }) {
  const t = useT();
  return (
    <div className="sheet-backdrop">
      <div className="sheet" data-testid="phone-mini-program-profile-ask">
        <img className="mini-icon large" src={program.icon} alt="" />
        <p className="sheet-title">{t("{{name}} would like your name and avatar", { name: program.name })}</p>
        <p className="muted">{t("It sees them only this time. It never gets your Xin ID.")}</p>
        <button className="primary" onClick={() => onAnswer(true)} data-testid="phone-mini-program-allow">
          {t("Allow")}
        </button>
        <button className="pay-secondary" onClick={() => onAnswer(false)} data-testid="phone-mini-program-deny">
          {t("Deny")}
        </button>
      </div>
    </div>
  );
}

function PaymentSheet({ program, order, onAnswer }: { program: MiniProgram; order: MiniProgramOrder; onAnswer: (yes: boolean) => void }) {
  const t = useT();
  const [pin, setPin] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const pay = () => {
    setBusy(true);
    setError("");
    authed<MiniProgramOrder>("POST", `/mini-program-orders/${order.id}/pay`, { pin }).then(
      () => onAnswer(true),
      (e) => {
        setBusy(false);
        setPin("");
        setError(errorMessage(e));
      },
    );
  };
  return (
    <div className="sheet-backdrop">
      <div className="sheet" data-testid="phone-mini-program-payment">
        <img className="mini-icon large" src={program.icon} alt="" />
        <p className="sheet-title">{order.payee_name}</p>
        <p className="sheet-amount" data-testid="phone-mini-program-amount">{yuan(order.amount_fen)}</p>
        <p className="muted">{order.description}</p>
        <PinInput value={pin} onChange={setPin} testid="phone-mini-program-pin" />
        {error && <p className="error" data-testid="phone-mini-program-pay-error">{error}</p>}
        <button className="primary" disabled={pin.length !== 6 || busy} onClick={pay} data-testid="phone-mini-program-pay">
          {t("Pay")}
        </button>
        <button className="pay-secondary" onClick={() => onAnswer(false)}>
          {t("Cancel")}
        </button>
      </div>
    </div>
  );
}
