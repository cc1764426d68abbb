import { useCallback, useEffect, useState } from "react";
import type { Bill, Payment, ReceiveCode, Wallet as WalletView } from "../bindings";
import { billLabel, billTitle } from "../shared/bills";
import { parseYuan, relativeTime, yuan } from "../shared/format";
import { errorText, ipc, onCoreEvent } from "./ipc";
import { formatDateTime, useT } from "../shared/i18n";


type Dialog = null | "top_up" | "withdraw" | "card" | "pin" | "receive";

/** Wallet: balance, bank cards (the sandbox bank), the payment PIN, and bills by month. */
export function Wallet() {
  const t = useT();
  const [wallet, setWallet] = useState<WalletView | null>(null);
  const [bills, setBills] = useState<Bill[]>([]);
  const [picked, setPicked] = useState<Bill | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [error, setError] = useState("");
  const load = useCallback(() => {
    ipc.wallet().then(setWallet, (e) => setError(errorText(e)));
    ipc.bills().then(setBills, () => {});
  }, []);
  useEffect(() => {
    load();
    const unlisten = onCoreEvent((e) => e.type === "wallet_changed" && load());
    return () => {
      unlisten.then((f) => f());
    };
  }, [load]);
  const months = new Map<string, Bill[]>();
  for (const b of bills) {
    const m = formatDateTime(b.created_at, { year: "numeric", month: "long" });
    months.set(m, [...(months.get(m) ?? []), b]);
  }
  const done = () => {
    setDialog(null);
    load();
  };
  return (
    <>
      <aside className="list-pane wallet-side">
        <div className="wallet-balance" data-testid="wallet-balance" data-fen={wallet?.balance_fen ?? ""}>
          <div className="wallet-label">
            {t("Balance")} <span className="sandbox-tag">{t("Sandbox")}</span>
          </div>
          <div className="wallet-amount">{wallet ? yuan(wallet.balance_fen) : "…"}</div>
          <div className="wallet-buttons">
            <button onClick={() => setDialog("top_up")} disabled={!wallet?.cards.length} data-testid="wallet-top-up">
              {t("Top up")}
            </button>
            <button onClick={() => setDialog("withdraw")} disabled={!wallet?.cards.length || !wallet.has_pin}>
              {t("Withdraw")}
            </button>
          </div>
          <button className="wallet-receive" onClick={() => setDialog("receive")} data-testid="wallet-receive">
            {t("Receive money")}
          </button>
        </div>
        <div className="wallet-section">{t("Bank cards")}</div>
        {wallet?.cards.map((c) => (
          <div key={c.id} className="wallet-card">
            {c.bank} ···· {c.last4}
          </div>
        ))}
        <button className="list-row" onClick={() => setDialog("card")}>
          {t("+ Add a sandbox card")}
        </button>
        <div className="wallet-section">{t("Security")}</div>
        <button className="list-row" onClick={() => setDialog("pin")}>
          {wallet?.has_pin ? t("Change payment PIN") : t("Set a payment PIN")}
        </button>
        <p className="wallet-fine">{t("The sandbox bank moves no real money. Test card 4242 4242 4242 4242 always works; one ending in 0002 is always declined.")}</p>
        {error && <p className="error-text">{error}</p>}
      </aside>
      <section className="content-pane bills" data-testid="bills">
        <h2 className="pane-title">{t("Bills")}</h2>
        {bills.length === 0 && <p className="list-empty">{t("No bills yet.")}</p>}
        {[...months].map(([month, list]) => (
          <div key={month}>
            <div className="bill-month">{month}</div>
            {list.map((b) => (
              <button key={b.id} className={picked?.id === b.id ? "bill active" : "bill"} onClick={() => setPicked(b)} data-testid="bill" data-kind={b.kind}>
                <span>
                  <span className="bill-title">{billLabel(b)}</span>
                  <span className="bill-time">{relativeTime(b.created_at, Date.now())}</span>
                </span>
                <span className={b.amount_fen > 0 ? "bill-amount in" : "bill-amount"}>{(b.amount_fen > 0 ? "+" : "") + yuan(b.amount_fen)}</span>
              </button>
            ))}
          </div>
        ))}
        {picked && <BillDetail bill={picked} onClose={() => setPicked(null)} />}
      </section>
      {(dialog === "top_up" || dialog === "withdraw") && wallet && <BankDialog withdraw={dialog === "withdraw"} wallet={wallet} onDone={done} onClose={() => setDialog(null)} />}
      {dialog === "card" && <CardDialog onDone={done} onClose={() => setDialog(null)} />}
      {dialog === "pin" && <PinDialog change={!!wallet?.has_pin} onDone={done} onClose={() => setDialog(null)} />}
      {dialog === "receive" && <ReceiveDialog onClose={() => setDialog(null)} />}
    </>
  );
}

function BillDetail({ bill, onClose }: { bill: Bill; onClose: () => void }) {
  const t = useT();
  return (
    <div className="bill-detail" data-testid="bill-detail">
      <div className="bill-detail-amount">{(bill.amount_fen > 0 ? "+" : "") + yuan(bill.amount_fen)}</div>
      <dl>
        <dt>{t("Type")}</dt>
        <dd>{billTitle[bill.kind]}</dd>
        {bill.counterparty_name && (
          <>
            <dt>{bill.amount_fen > 0 ? t("From") : t("To")}</dt>
            <dd>{bill.counterparty_name}</dd>
          </>
        )}
        {bill.memo !== billTitle[bill.kind] && (
          <>
            <dt>{t("Note")}</dt>
            <dd>{bill.memo}</dd>
          </>
        )}
        <dt>{t("Time")}</dt>
        <dd>{formatDateTime(bill.created_at, { dateStyle: "medium", timeStyle: "short" })}</dd>
        <dt>{t("Balance after")}</dt>
        <dd>{yuan(bill.balance_after_fen)}</dd>
        <dt>{t("Transaction")}</dt>
        <dd className="mono">{bill.id}</dd>
      </dl>
      <button onClick={onClose}>{t("Close")}</button>
    </div>
  );
}

/** A small form in a modal; `submit` does the work, its error shows in place. */
export function Modal({ title, children, submit, onClose, ready }: { title: string; children: React.ReactNode; submit: () => Promise<unknown>; onClose: () => void; ready: boolean }) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const go = () => {
    setBusy(true);
    setError("");
    submit().then(
      () => setBusy(false),
      (e) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  };
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <form
        className="modal"
        role="dialog"
        aria-label={title}
        onClick={(e) => e.stopPropagation()}
        onSubmit={(e) => {
          e.preventDefault();
          if (ready && !busy) go();
        }}
      >
        <h3>{title}</h3>
        {children}
        {error && (
          <p className="error-text" data-testid="modal-error">
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" onClick={onClose}>
            {t("Cancel")}
          </button>
          <button type="submit" className="primary-button small" disabled={!ready || busy} data-testid="modal-submit">
            {title}
          </button>
        </div>
      </form>
    </div>
  );
}

function BankDialog({ withdraw, wallet, onDone, onClose }: { withdraw: boolean; wallet: WalletView; onDone: () => void; onClose: () => void }) {
  const t = useT();
  const [amount, setAmount] = useState("");
  const [card, setCard] = useState(wallet.cards[0]?.id ?? "");
  const [pin, setPin] = useState("");
  // One key per dialog: pressing again after a network error cannot move the money twice.
  const [key] = useState(() => crypto.randomUUID());
  const fen = parseYuan(amount);
  return (
    <Modal
      title={withdraw ? t("Withdraw") : t("Top up")}
      ready={fen !== null && !!card && (!withdraw || pin.length === 6)}
      onClose={onClose}
      submit={() => ipc.bankMove(withdraw, { idempotency_key: key, card_id: card, amount_fen: fen ?? 0, pin: withdraw ? pin : undefined }).then(onDone)}
    >
      <input className="modal-input" autoFocus inputMode="decimal" placeholder={t("Amount (¥)")} value={amount} onChange={(e) => setAmount(e.target.value)} data-testid="amount-input" />
      <select className="modal-input" value={card} onChange={(e) => setCard(e.target.value)}>
        {wallet.cards.map((c) => (
          <option key={c.id} value={c.id}>
            {c.bank} ···· {c.last4}
          </option>
        ))}
      </select>
      {withdraw && <input className="modal-input" type="password" inputMode="numeric" maxLength={6} placeholder={t("Payment PIN")} value={pin} onChange={(e) => setPin(e.target.value)} />}
    </Modal>
  );
}

function CardDialog({ onDone, onClose }: { onDone: () => void; onClose: () => void }) {
  const t = useT();
  const [number, setNumber] = useState("");
  const digits = number.replace(/\s/g, "");
  return (
    <Modal title={t("Add card")} ready={digits.length >= 16} onClose={onClose} submit={() => ipc.addCard(digits).then(onDone)}>
      <input className="modal-input" autoFocus inputMode="numeric" placeholder={t("Card number")} value={number} onChange={(e) => setNumber(e.target.value)} data-testid="card-input" />
    </Modal>
  );
}

/** "Receive money": my receive code for a phone to scan, optionally for a set amount, and the
 *  payments as they arrive ("received ¥X from Y"), live. */
function ReceiveDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const [code, setCode] = useState<ReceiveCode | null>(null);
  const [setting, setSetting] = useState(false);
  const [amount, setAmount] = useState("");
  const [note, setNote] = useState("");
  const [received, setReceived] = useState<Payment[]>([]);
  const [error, setError] = useState("");
  // Only a submitted amount closes the form: the first code can arrive after the user has
  // already opened it, and must not snatch it away.
  const show = (fen: number | null, text: string, closeForm: boolean) =>
    ipc.receiveCode(fen, text).then(
      (c) => {
        setCode(c);
        if (closeForm) setSetting(false);
        setError("");
      },
      (e) => setError(errorText(e)),
    );
  useEffect(() => {
    void show(null, "", false);
    const unlisten = onCoreEvent((e) => e.type === "payment_received" && setReceived((r) => [e.payment, ...r]));
    const esc = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", esc);
    return () => {
      unlisten.then((f) => f());
      window.removeEventListener("keydown", esc);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const fen = parseYuan(amount);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal receive" role="dialog" aria-label={t("Receive money")} onClick={(e) => e.stopPropagation()} data-testid="receive-dialog">
        <div className="receive-head">{t("Receive money")}</div>
        <div className="receive-body">
          {code && (
            <>
              {code.amount_fen !== null && <div className="receive-amount">{yuan(code.amount_fen)}</div>}
              {code.note && <div className="muted">{code.note}</div>}
              <div className="receive-qr" role="img" aria-label={t("My receive code")} data-url={code.url} data-testid="receive-qr" dangerouslySetInnerHTML={{ __html: code.svg }} />
              <p className="muted">{t("Scan with Xin on your phone to pay me")}</p>
            </>
          )}
          {setting ? (
            <form
              className="receive-set"
              onSubmit={(e) => {
                e.preventDefault();
                if (fen !== null) void show(fen, note, true);
              }}
            >
              <input className="modal-input" autoFocus inputMode="decimal" placeholder={t("Amount (¥)")} value={amount} onChange={(e) => setAmount(e.target.value)} data-testid="receive-amount-input" />
              <input className="modal-input" maxLength={50} placeholder={t("Note (optional)")} value={note} onChange={(e) => setNote(e.target.value)} />
              <button className="primary-button small" disabled={fen === null} data-testid="receive-amount-ok">
                {t("OK")}
              </button>
            </form>
          ) : (
            <div className="receive-links">
              <button className="link-button" onClick={() => setSetting(true)} data-testid="receive-set-amount">
                {t("Set amount")}
              </button>
              {code?.amount_fen !== null && code !== null && (
                <button className="link-button" onClick={() => void show(null, "", false)}>
                  {t("Clear amount")}
                </button>
              )}
            </div>
          )}
          {error && <p className="error-text">{error}</p>}
        </div>
        {received.length > 0 && (
          <div className="receive-feed" data-testid="receive-feed">
            {received.map((p) => (
              <div key={p.id} className="receive-paid" data-testid="receive-paid" data-fen={p.amount_fen}>
                <span>{t("Received {{amount}} from {{name}}", { amount: yuan(p.amount_fen), name: p.payer_name })}</span>
                {p.note && <span className="muted">{p.note}</span>}
              </div>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}

function PinDialog({ change, onDone, onClose }: { change: boolean; onDone: () => void; onClose: () => void }) {
  const t = useT();
  const [old, setOld] = useState("");
  const [pin, setPin] = useState("");
  const six = (s: string) => /^\d{6}$/.test(s);
  return (
    <Modal title={change ? t("Change PIN") : t("Set PIN")} ready={six(pin) && (!change || six(old))} onClose={onClose} submit={() => ipc.setPin(pin, change ? old : null).then(onDone)}>
      {change && <input className="modal-input" type="password" inputMode="numeric" maxLength={6} placeholder={t("Current PIN")} value={old} onChange={(e) => setOld(e.target.value)} />}
      <input className="modal-input" type="password" inputMode="numeric" maxLength={6} placeholder={t("New 6-digit PIN")} value={pin} onChange={(e) => setPin(e.target.value)} data-testid="pin-input" />
      {change && <p className="muted">{t("Forgot it? Reset it on your phone: Wallet › Payment PIN.")}</p>}
    </Modal>
  );
}

/** "Transfer" from a direct chat: amount, a note, the PIN. */
export function SendMoneyDialog({ conversation, onClose }: { conversation: string; onClose: () => void }) {
  const t = useT();
  const [amount, setAmount] = useState("");
  const [note, setNote] = useState("");
  const [pin, setPin] = useState("");
  const [key] = useState(() => crypto.randomUUID());
  const fen = parseYuan(amount);
  return (
    <Modal
      title={t("Transfer")}
      ready={fen !== null && pin.length === 6}
      onClose={onClose}
      submit={() => ipc.sendTransfer({ idempotency_key: key, conversation_id: conversation, amount_fen: fen ?? 0, note, pin }).then(onClose)}
    >
      <input className="modal-input" autoFocus inputMode="decimal" placeholder={t("Amount (¥)")} value={amount} onChange={(e) => setAmount(e.target.value)} data-testid="amount-input" />
      <input className="modal-input" maxLength={50} placeholder={t("Add a note (optional)")} value={note} onChange={(e) => setNote(e.target.value)} />
      <input className="modal-input" type="password" inputMode="numeric" maxLength={6} placeholder={t("Payment PIN")} value={pin} onChange={(e) => setPin(e.target.value)} data-testid="pin-input" />
    </Modal>
  );
}

/** A red envelope from a chat: one share in a direct chat; in a group, lucky (random shares of a
 *  total) or normal (the same amount each). At most ¥200 and 100 shares (the server checks). */
export function RedEnvelopeDialog({ conversation, group, onClose }: { conversation: string; group: boolean; onClose: () => void }) {
  const t = useT();
  const [lucky, setLucky] = useState(group);
  const [shares, setShares] = useState(group ? "3" : "1");
  const [amount, setAmount] = useState("");
  const [note, setNote] = useState("");
  const [pin, setPin] = useState("");
  const [key] = useState(() => crypto.randomUUID());
  const fen = parseYuan(amount);
  const n = Number(shares);
  const count = Number.isInteger(n) && n >= 1 && n <= 100 ? n : null;
  const total = fen !== null && count !== null ? (lucky ? fen : fen * count) : null;
  return (
    <Modal
      title={t("Send red envelope")}
      ready={total !== null && pin.length === 6}
      onClose={onClose}
      submit={() =>
        ipc.sendEnvelope({ idempotency_key: key, conversation_id: conversation, kind: lucky ? "lucky" : "normal", amount_fen: total ?? 0, shares: count ?? 1, note: note.trim() || t("Best wishes"), pin }).then(onClose)
      }
    >
      {group && (
        <div className="modal-tabs">
          <button type="button" className={lucky ? "active" : ""} onClick={() => setLucky(true)}>
            {t("Lucky")}
          </button>
          <button type="button" className={lucky ? "" : "active"} onClick={() => setLucky(false)}>
            {t("Normal")}
          </button>
        </div>
      )}
      {group && <input className="modal-input" inputMode="numeric" placeholder={t("Number of shares")} aria-label={t("Number of shares")} title={t("Number of shares")} value={shares} onChange={(e) => setShares(e.target.value)} data-testid="shares-input" />}
      <input className="modal-input" autoFocus inputMode="decimal" placeholder={lucky && group ? t("Total (¥)") : t("Amount each (¥)")} value={amount} onChange={(e) => setAmount(e.target.value)} data-testid="amount-input" />
      <input className="modal-input" maxLength={30} placeholder={t("Best wishes")} value={note} onChange={(e) => setNote(e.target.value)} />
      <input className="modal-input" type="password" inputMode="numeric" maxLength={6} placeholder={t("Payment PIN")} value={pin} onChange={(e) => setPin(e.target.value)} data-testid="pin-input" />
      {total !== null && <p className="muted">{t("{{amount}} in all", { amount: yuan(total) })}</p>}
    </Modal>
  );
}
