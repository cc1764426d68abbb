import { useEffect, useState } from "react";
import type { Bill, Bills, Envelope, Message, MoneyTransfer, Wallet } from "../bindings";
import { billLabel } from "../shared/bills";
import { Icon } from "../shared/icons";
import { go } from "./router";
import { yuan } from "../shared/format";
import { authed as call, errorMessage, stored } from "./api";
import { useT } from "../shared/i18n";

/** A transfer card on the phone: the recipient accepts it here. */
export function PhoneTransfer({ m }: { m: Message }) {
  const t = useT();
  const c = m.content;
  const id = c.type === "transfer" ? c.transfer_id : "";
  const [tf, setT] = useState<MoneyTransfer | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    call<MoneyTransfer>("GET", `/wallet/transfers/${id}`).then(setT, () => {});
  }, [id]);
  if (c.type !== "transfer") return null;
  const me = stored()?.user.id;
  const state = tf?.state ?? "pending";
  const accept = () => call<MoneyTransfer>("POST", `/wallet/transfers/${id}/accept`).then(setT, (e) => setError(errorMessage(e)));
  return (
    <div className={state === "pending" ? "phone-money" : "phone-money settled"} data-testid="phone-transfer" data-state={state}>
      <div className="phone-money-amount">{yuan(c.amount_fen)}</div>
      <div className="phone-money-note">{c.note || t("Transfer")}</div>
      {state === "pending" && tf && tf.recipient_id === me ? (
        <button onClick={accept} data-testid="phone-transfer-accept">
          {t("Accept")}
        </button>
      ) : (
        <div className="phone-money-state">{state === "pending" ? t("Waiting") : state === "refunded" ? t("Returned") : state[0]!.toUpperCase() + state.slice(1)}</div>
      )}
      {error && <div className="phone-money-state">{error}</div>}
    </div>
  );
}

/** A red envelope on the phone: tap to open a share. */
export function PhoneRedEnvelope({ m }: { m: Message }) {
  const t = useT();
  const c = m.content;
  const id = c.type === "red_envelope" ? c.envelope_id : "";
  const [e, setE] = useState<Envelope | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    call<Envelope>("GET", `/wallet/envelopes/${id}`).then(setE, () => {});
  }, [id]);
  if (c.type !== "red_envelope") return null;
  const me = stored()?.user.id;
  const mine = e?.grabs.find((g) => g.user_id === me);
  const open = () => {
    if (!mine) call<Envelope>("POST", `/wallet/envelopes/${id}/grab`).then(setE, (err) => setError(errorMessage(err)));
  };
  return (
    <button className={mine ? "phone-red opened" : "phone-red"} onClick={open} data-testid="phone-red-envelope" data-mine={mine ? String(mine.amount_fen) : ""}>
      <span className="phone-red-note">{c.note || t("Best wishes")}</span>
      <span className="phone-money-state">{mine ? t("Opened · {{v0}}", { v0: yuan(mine.amount_fen) }) : error || t("Red envelope · tap to open")}</span>
    </button>
  );
}

/** The Wallet tab: the (sandbox) balance and recent bills. */
export function PhoneWallet({ tick }: { tick: number }) {
  const t = useT();
  const [wallet, setWallet] = useState<Wallet | null>(null);
  const [bills, setBills] = useState<Bill[]>([]);
  const [error, setError] = useState("");
  useEffect(() => {
    call<Wallet>("GET", "/wallet").then(setWallet, (e) => setError(errorMessage(e)));
    call<Bills>("GET", "/wallet/bills").then((b) => setBills(b.bills), () => {});
  }, [tick]);
  return (
    <>
      <section className="phone-money-actions">
        <button onClick={() => go("/scan")} data-testid="wallet-scan">
          <Icon name="scan" size={28} />
          {t("Scan")}
        </button>
        <button onClick={() => go("/wallet/code")} disabled={wallet !== null && !wallet.has_pin} data-testid="wallet-pay">
          <Icon name="wallet" size={28} />
          {t("Pay")}
        </button>
      </section>
      <section className="card phone-balance" data-testid="phone-balance" data-fen={wallet?.balance_fen ?? ""}>
        <div className="muted">
          {t("Balance")} <span className="sandbox-tag">{t("SANDBOX")}</span>
        </div>
        <div className="phone-balance-amount">{wallet ? yuan(wallet.balance_fen) : "…"}</div>
      </section>
      {error && <p role="alert">{error}</p>}
      <section className="card list" data-testid="phone-bills">
        {bills.length === 0 && <p className="empty">{t("No bills yet.")}</p>}
        {bills.map((b) => (
          <div key={b.id} className="row" data-testid="phone-bill" data-kind={b.kind}>
            <span>{billLabel(b)}</span>
            <span className={b.amount_fen > 0 ? "phone-bill-in" : ""}>{(b.amount_fen > 0 ? "+" : "") + yuan(b.amount_fen)}</span>
          </div>
        ))}
      </section>
      <section className="card list">
        <button className="row" onClick={() => go("/wallet/pin")} data-testid="wallet-pin">
          <span>{t("Payment PIN")}</span>
          <span className="chev">›</span>
        </button>
        <button className="row" onClick={() => go("/wallet/merchant")} data-testid="wallet-merchant">
          <span>{t("Merchant till (test)")}</span>
          <span className="chev">›</span>
        </button>
      </section>
    </>
  );
}
