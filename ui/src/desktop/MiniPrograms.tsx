import { useEffect, useState } from "react";
import type { MiniProgram, PhoneCode } from "../bindings";
import { yuan } from "../shared/format";
import { errorText, ipc, type MiniProgramAsk, onMiniProgramAsk } from "./ipc";
import { ShareTo } from "./Subscriptions";
import { Modal } from "./Wallet";
import { useT } from "../shared/i18n";

/** The Mini Programs pane: mine (pinned, then recently used) or a search of all; each opens
 *  in its own sandboxed window. */
export function MiniPrograms() {
  const t = useT();
  const [query, setQuery] = useState("");
  const [list, setList] = useState<MiniProgram[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState("");
  const load = (q: string) => ipc.miniPrograms(q.trim() || null).then(setList, (e) => setError(errorText(e)));
  useEffect(() => {
    const t = setTimeout(() => void load(query), query ? 250 : 0);
    return () => clearTimeout(t);
  }, [query]);
  const shown = list?.find((m) => m.id === selected) ?? list?.[0] ?? null;
  const pinned = (list ?? []).filter((m) => m.pinned);
  const rest = (list ?? []).filter((m) => !query && !m.pinned);
  const row = (m: MiniProgram) => (
    <button key={m.id} className={shown?.id === m.id ? "chat-row selected" : "chat-row"} onClick={() => setSelected(m.id)} onDoubleClick={() => void ipc.openMiniProgram(m.id)} data-testid="mini-program-row" data-name={m.name}>
      <img className="chat-avatar mini-icon" src={m.icon} alt="" />
      <span className="chat-text">
        <span className="chat-title">{m.name}</span>
        <span className="chat-preview">{m.publisher}</span>
      </span>
    </button>
  );
  return (
    <>
      <aside className="list-pane">
        <div className="list-search">
          <input placeholder={t("Search mini programs")} aria-label={t("Search mini programs")} value={query} onChange={(e) => setQuery(e.target.value)} data-testid="mini-program-search" />
        </div>
        <div className="list-scroll" data-testid="mini-program-list">
          {query ? (list ?? []).map(row) : (
            <>
              {pinned.length > 0 && <div className="letter">{t("Pinned")}</div>}
              {pinned.map(row)}
              {rest.length > 0 && <div className="letter">{t("Recently used")}</div>}
              {rest.map(row)}
            </>
          )}
          {list && list.length === 0 && <p className="list-empty">{query ? t("No mini programs found") : t("Mini programs you open or pin appear here. Search to find one.")}</p>}
          {error && <p className="error-text">{error}</p>}
        </div>
      </aside>
      {shown ? <MiniProgramCard key={shown.id} program={shown} onChanged={() => void load(query)} /> : <section className="content-pane empty-content"><p>{t("Mini programs: shops, bookings and games inside Xin, nothing to install.")}</p></section>}
    </>
  );
}

function MiniProgramCard({ program, onChanged }: { program: MiniProgram; onChanged: () => void }) {
  const t = useT();
  const [note, setNote] = useState("");
  const [code, setCode] = useState<PhoneCode | null>(null);
  const [sharing, setSharing] = useState(false);
  useEffect(() => {
    ipc.miniProgramCode(program.id).then(setCode, () => setCode(null));
  }, [program.id]);
  const [busy, setBusy] = useState(false);
  const act = (what: Promise<unknown>, done: string) => {
    setBusy(true);
    setNote("");
    what.then(
      () => {
        setBusy(false);
        setNote(done);
        onChanged();
      },
      (e) => {
        setBusy(false);
        setNote(errorText(e));
      },
    );
  };
  const asks = [program.permissions.includes("profile") && t("your name and avatar, each time you agree"), program.permissions.includes("payment") && t("payments you confirm with your PIN")].filter(Boolean);
  return (
    <section className="content-pane mini-card-pane" data-testid="mini-program-card">
      <div className="mini-card">
        <img className="mini-card-icon" src={program.icon} alt="" />
        <h2>{program.name}</h2>
        <p className="mini-card-by">{t("by {{publisher}} · version {{version}}", { publisher: program.publisher, version: program.release.version })}</p>
        {program.description && <p className="mini-card-about">{program.description}</p>}
        <button className="primary-button" disabled={busy} onClick={() => act(ipc.openMiniProgram(program.id), "")} data-testid="open-mini-program">
          {t("Open")}
        </button>
        <div className="mini-card-actions">
          <button className="link-button" disabled={busy} onClick={() => act(ipc.pinMiniProgram(program.id, !program.pinned), program.pinned ? t("Unpinned") : t("Pinned"))} data-testid="pin-mini-program">
            {program.pinned ? t("Unpin") : t("Pin")}
          </button>
          <button className="link-button" disabled={busy} onClick={() => setSharing(true)} data-testid="share-mini-program">
            {t("Share")}
          </button>
          <button className="link-button" disabled={busy} onClick={() => act(ipc.clearMiniProgramData(program.id), t("Its data on this computer is cleared"))} data-testid="clear-mini-program">
            {t("Clear data")}
          </button>
        </div>
        {note && <p className="mini-card-note" data-testid="mini-program-note">{note}</p>}
        <dl className="mini-card-facts">
          {asks.length > 0 && (
            <>
              <dt>{t("May ask for")}</dt>
              <dd>{asks.join("; ")}</dd>
            </>
          )}
          <dt>{t("Reaches")}</dt>
          <dd>{program.domains.length ? program.domains.join(", ") : t("no servers")}</dd>
        </dl>
        {sharing && (
          <ShareTo
            onClose={() => setSharing(false)}
            onChoose={(c) => {
              setSharing(false);
              act(ipc.shareMiniProgram(c.conversation.id, program.id), t("Shared to {{chat}}", { chat: c.conversation.title }));
            }}
          />
        )}
        {code && (
          <figure className="mini-card-code" data-testid="mini-program-code" data-url={code.url}>
            <span dangerouslySetInnerHTML={{ __html: code.svg }} />
            <figcaption>{t("Scan with Xin on your phone to open it there")}</figcaption>
          </figure>
        )}
      </div>
    </section>
  );
}

/** A mini-program's questions, asked here in Xin's own window where its page cannot reach:
 *  sharing the profile, and paying an order with the PIN. */
export function MiniProgramAsks() {
  const [asks, setAsks] = useState<MiniProgramAsk[]>([]);
  useEffect(() => {
    const unlisten = onMiniProgramAsk((a) => setAsks((list) => [...list, a]));
    return () => void unlisten.then((f) => f());
  }, []);
  const ask = asks[0];
  if (!ask) return null;
  const answer = (yes: boolean) => {
    void ipc.answerMiniProgram(ask.id, yes);
    setAsks((list) => list.slice(1));
  };
  return ask.kind === "profile" ? <ProfileAsk ask={ask} onAnswer={answer} /> : <PaymentAsk ask={ask} onAnswer={answer} />;
}

function ProfileAsk({ ask, onAnswer }: { ask: MiniProgramAsk; onAnswer: (yes: boolean) => void }) {
  const t = useT();
  return (
    <div className="modal-backdrop">
      <div className="modal mini-ask" role="dialog" aria-label={t("Share your profile")} data-testid="mini-program-profile-ask">
        <img className="mini-ask-icon" src={ask.icon} alt="" />
        <h3>{t("{{name}} would like your name and avatar", { name: ask.name })}</h3>
        <p className="muted">{t("It sees them only this time. It never gets your Xin ID.")}</p>
        <div className="modal-actions">
          <button type="button" onClick={() => onAnswer(false)} data-testid="mini-program-deny">
            {t("Deny")}
          </button>
          <button type="button" className="primary-button small" onClick={() => onAnswer(true)} data-testid="mini-program-allow">
            {t("Allow")}
          </button>
        </div>
      </div>
    </div>
  );
}

function PaymentAsk({ ask, onAnswer }: { ask: Extract<MiniProgramAsk, { kind: "payment" }>; onAnswer: (yes: boolean) => void }) {
  const t = useT();
  const [pin, setPin] = useState("");
  const { order } = ask;
  return (
    <Modal title={t("Pay")} ready={/^\d{6}$/.test(pin)} onClose={() => onAnswer(false)} submit={() => ipc.payMiniProgramOrder(order.id, pin).then(() => onAnswer(true))}>
      <div className="mini-pay" data-testid="mini-program-payment">
        <img className="mini-ask-icon" src={ask.icon} alt="" />
        <p className="mini-pay-to">{order.payee_name}</p>
        <p className="mini-pay-amount" data-testid="mini-program-amount">{yuan(order.amount_fen)}</p>
        <p className="muted">{order.description}</p>
      </div>
      <input className="modal-input" type="password" inputMode="numeric" maxLength={6} placeholder={t("Payment PIN")} autoFocus value={pin} onChange={(e) => setPin(e.target.value)} data-testid="pin-input" />
    </Modal>
  );
}
