import { PinInput } from "./PinInput";
import QRCode from "qrcode";
import { useEffect, useRef, useState } from "react";
import type { Payee, Payment, PaymentCode, PendingCharge, Wallet } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { parseYuan, yuan } from "../shared/format";
import { Icon } from "../shared/icons";
import { authed as call, errorMessage } from "./api";
import { go } from "./router";
import { useQrCamera } from "./Scan";
import { useT } from "../shared/i18n";

/** A page with a back button, like every sub-page of the companion. */
function Page({ title, back, children, testid }: { title: string; back: string; children: React.ReactNode; testid: string }) {
  const t = useT();
  return (
    <div className="app">
      <header className="bar">
        <button className="back" onClick={() => go(back)} aria-label={t("Back")}>
          <Icon name="back" />
        </button>
        {title}
      </header>
      <main className="page pay-page" data-testid={testid}>
        {children}
      </main>
    </div>
  );
}


function Paid({ payment, mine }: { payment: Payment; mine: string }) {
  const t = useT();
  const out = payment.payer_id === mine;
  return (
    <div className="pay-done" data-testid="pay-done" data-fen={payment.amount_fen}>
      <div className="pay-done-tick">✓</div>
      <div>{out ? t("Paid {{v0}}", { v0: payment.payee_name }) : t("Received from {{v0}}", { v0: payment.payer_name })}</div>
      <div className="pay-done-amount">{yuan(payment.amount_fen)}</div>
      {payment.note && <div className="muted">{payment.note}</div>}
      <button className="primary" onClick={() => go("/wallet")}>
        {t("Done")}
      </button>
    </div>
  );
}

/** Where a scanned receive code lands: who gets the money, how much, the PIN, Pay. */
export function PayPage({ handle, me }: { handle: string; me: string }) {
  const t = useT();
  const query = new URLSearchParams(location.search);
  const fixed = Number(query.get("fen") ?? "");
  const fixedFen = Number.isInteger(fixed) && fixed > 0 ? fixed : null;
  const [payee, setPayee] = useState<Payee | null | undefined>(undefined);
  const [amount, setAmount] = useState("");
  const [note, setNote] = useState(query.get("note") ?? "");
  const [pin, setPin] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [done, setDone] = useState<Payment | null>(null);
  // One key per page: pressing Pay again after a network error cannot pay twice.
  const [key] = useState(() => crypto.randomUUID());
  useEffect(() => {
    call<Payee>("GET", `/wallet/payees/${encodeURIComponent(handle)}`).then(setPayee, (e) => {
      setPayee(null);
      setError(errorMessage(e));
    });
  }, [handle]);
  const fen = fixedFen ?? parseYuan(amount);
  const pay = () => {
    if (!payee || fen === null || pin.length !== 6) return;
    setBusy(true);
    setError("");
    call<Payment>("POST", "/wallet/payments", { idempotency_key: key, payee_id: payee.user_id, amount_fen: fen, note: note.trim(), pin }).then(setDone, (e) => {
      setBusy(false);
      setPin("");
      setError(errorMessage(e));
    });
  };
  return (
    <Page title={t("Pay")} back="/wallet" testid="pay-page">
      {done ? (
        <Paid payment={done} mine={me} />
      ) : payee === undefined ? (
        <p className="empty">{t("Looking up {{handle}}…", { handle })}</p>
      ) : payee === null ? (
        <p className="empty" role="alert">
          {error}
        </p>
      ) : (
        <form
          className="pay-form"
          onSubmit={(e) => {
            e.preventDefault();
            pay();
          }}
        >
          <div className="pay-payee">
            <Avatar user={payee} size={56} />
            <div className="pay-payee-name" data-testid="pay-payee">
              {payee.display_name}
            </div>
            <div className="muted">{t("Xin ID: {{handle}}", { handle: payee.handle })}</div>
          </div>
          <div className="card pay-amount">
            <div className="muted">{t("Amount")}</div>
            {fixedFen !== null ? (
              <div className="pay-amount-fixed" data-testid="pay-fixed-amount">
                {yuan(fixedFen)}
              </div>
            ) : (
              <div className="pay-amount-input">
                ¥<input inputMode="decimal" autoFocus value={amount} onChange={(e) => setAmount(e.target.value)} aria-label={t("Amount")} data-testid="pay-amount" />
              </div>
            )}
            <input className="pay-note" maxLength={50} placeholder={t("Add a note")} value={note} onChange={(e) => setNote(e.target.value)} aria-label={t("Note")} />
          </div>
          <PinInput value={pin} onChange={setPin} />
          {error && (
            <p className="pay-error" role="alert">
              {error}
            </p>
          )}
          <button className="primary" type="submit" disabled={busy || fen === null || pin.length !== 6} data-testid="pay-submit">
            {fen !== null ? t("Pay {{v0}}", { v0: yuan(fen) }) : t("Pay")}
          </button>
        </form>
      )}
    </Page>
  );
}

/** A QR code drawn as SVG, with a one-module margin. */
function QrSvg({ text, size = 220 }: { text: string; size?: number }) {
  const t = useT();
  const modules = QRCode.create(text, { errorCorrectionLevel: "M" }).modules;
  const n = modules.size + 2;
  let d = "";
  for (let y = 0; y < modules.size; y++) for (let x = 0; x < modules.size; x++) if (modules.get(y, x)) d += `M${x + 1},${y + 1}h1v1h-1z`;
  return (
    <svg className="pay-qr" width={size} height={size} viewBox={`0 0 ${n} ${n}`} shapeRendering="crispEdges" role="img" aria-label={t("Payment code")}>
      <rect width={n} height={n} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

/** A shop's charge above what goes through without the PIN: pay it with the PIN, or decline. */
function ConfirmChargeCard({ charge, onSettled }: { charge: PendingCharge; onSettled: (c: PendingCharge) => void }) {
  const t = useT();
  const [pin, setPin] = useState("");
  const [error, setError] = useState("");
  const settle = (how: "confirm" | "decline") =>
    call<PendingCharge>("POST", `/wallet/charges/${charge.id}/${how}`, how === "confirm" ? { pin } : undefined).then(onSettled, (e) => {
      setPin("");
      setError(errorMessage(e));
    });
  return (
    <form
      className="pay-form"
      data-testid="charge-confirm"
      onSubmit={(e) => {
        e.preventDefault();
        if (pin.length === 6) void settle("confirm");
      }}
    >
      <div className="card pay-amount">
        <div className="muted">{t("{{v0}} asks you to pay", { v0: charge.payee_name })}</div>
        <div className="pay-done-amount">{yuan(charge.amount_fen)}</div>
        {charge.note && <div className="muted">{charge.note}</div>}
      </div>
      <p className="muted">{t("This is more than your payment code pays without your PIN. Enter your PIN to pay.")}</p>
      <PinInput value={pin} onChange={setPin} testid="charge-pin" />
      {error && (
        <p className="pay-error" role="alert">
          {error}
        </p>
      )}
      <button className="primary" type="submit" disabled={pin.length !== 6} data-testid="charge-pay">
        {t("Pay {{amount}}", { amount: yuan(charge.amount_fen) })}
      </button>
      <button type="button" className="pay-secondary" onClick={() => void settle("decline")} data-testid="charge-decline">
        {t("Decline")}
      </button>
    </form>
  );
}

/** "Pay" (the payment code): after the PIN, a one-time code a shop scans, renewed every minute
 *  while the page is open; the shop's charge shows here when it happens, and one above the
 *  no-PIN limits asks for the PIN here. */
export function PaymentCodePage({ me, payment, charge }: { me: string; payment: Payment | null; charge: PendingCharge | null }) {
  const t = useT();
  const [pin, setPin] = useState("");
  const [code, setCode] = useState<PaymentCode | null>(null);
  const [error, setError] = useState("");
  const [now, setNow] = useState(Date.now());
  const [opened] = useState(Date.now);
  const live = useRef<string | null>(null);
  const unlock = () =>
    call<PaymentCode>("POST", "/wallet/payment-codes", { pin }).then(
      (c) => {
        setCode(c);
        setError("");
      },
      (e) => {
        setPin("");
        setError(errorMessage(e));
      },
    );
  useEffect(() => {
    live.current = code?.code ?? null;
  }, [code]);
  useEffect(() => {
    const tf = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(tf);
  }, []);
  // Renew a few seconds before the code runs out, with the live code itself (no PIN again).
  useEffect(() => {
    if (!code) return;
    const tf = window.setTimeout(
      () => {
        if (!live.current) return;
        call<PaymentCode>("POST", "/wallet/payment-codes", { renew: live.current }).then(setCode, () => setCode(null));
      },
      Math.max(0, code.expires_at - Date.now() - 5000),
    );
    return () => window.clearTimeout(tf);
  }, [code]);
  const charged = payment && payment.payer_id === me && payment.via === "payment_code" && payment.created_at >= opened ? payment : null;
  // The charge as this page last saw it: the event, or the answer to confirming or declining.
  const [settled, setSettled] = useState<PendingCharge | null>(null);
  const latest = settled && charge && settled.id === charge.id && charge.state === "pending" ? settled : charge;
  const asking = latest && latest.payer_id === me && latest.created_at >= opened ? latest : null;
  return (
    <Page title={t("Pay a shop")} back="/wallet" testid="payment-code-page">
      {asking?.state === "pending" ? (
        <ConfirmChargeCard charge={asking} onSettled={setSettled} />
      ) : asking?.state === "paid" && asking.payment ? (
        <Paid payment={asking.payment} mine={me} />
      ) : asking?.state === "declined" && !charged ? (
        <p className="pay-error" role="alert" data-testid="charge-declined">
          {t("You declined {{v0}}'s charge of {{amount}}. Nothing was paid.", { v0: asking.payee_name, amount: yuan(asking.amount_fen) })}
        </p>
      ) : charged ? (
        <Paid payment={charged} mine={me} />
      ) : code ? (
        <div className="card pay-code" data-testid="payment-code" data-code={code.code}>
          <p className="muted">{t("Show this to the cashier")}</p>
          <QrSvg text={code.code} />
          <div className="pay-code-digits">{code.code.replace(/(\d{4})(?=\d)/g, "$1 ")}</div>
          <p className="muted">{t("Refreshes in {{n}} s · only for this phone", { n: Math.max(0, Math.ceil((code.expires_at - now - 5000) / 1000)) })}</p>
        </div>
      ) : (
        <form
          className="pay-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (pin.length === 6) void unlock();
          }}
        >
          <p className="muted">{t("Enter your payment PIN to show your payment code.")}</p>
          <PinInput value={pin} onChange={setPin} />
          {error && (
            <p className="pay-error" role="alert">
              {error}
            </p>
          )}
          <button className="primary" type="submit" disabled={pin.length !== 6} data-testid="payment-code-show">
            {t("Show payment code")}
          </button>
        </form>
      )}
    </Page>
  );
}

/** A merchant's till, for testing the payment code end to end: an amount, then scan (or type)
 *  the customer's code, and the money is the merchant's. */
export function MerchantPage({ me }: { me: string }) {
  const t = useT();
  const [amount, setAmount] = useState("");
  const [note, setNote] = useState("");
  const [code, setCode] = useState("");
  const [scanning, setScanning] = useState(false);
  const [error, setError] = useState("");
  const [done, setDone] = useState<Payment | null>(null);
  const [waiting, setWaiting] = useState<PendingCharge | null>(null);
  const [key, setKey] = useState(() => crypto.randomUUID());
  const fen = parseYuan(amount);
  const settled = (c: PendingCharge) => {
    if (c.state === "paid" && c.payment) {
      setWaiting(null);
      setDone(c.payment);
    } else if (c.state === "pending") {
      setWaiting(c);
    } else {
      setWaiting(null);
      setKey(crypto.randomUUID());
      setError(c.state === "declined" ? t("The customer declined the charge.") : t("The customer did not confirm in time. Nothing was charged."));
    }
  };
  const charge = (digits: string) => {
    if (fen === null) return;
    setError("");
    call<Payment | PendingCharge>("POST", "/wallet/collect", { idempotency_key: key, code: digits, amount_fen: fen, note: note.trim() }).then(
      (r) => ("state" in r ? settled(r) : setDone(r)),
      (e) => setError(errorMessage(e)),
    );
  };
  // Above the customer's no-PIN limits the charge waits for their PIN: follow it until settled.
  useEffect(() => {
    if (!waiting) return;
    const tf = window.setInterval(() => {
      call<PendingCharge>("GET", `/wallet/charges/${waiting.id}`).then(settled, () => {});
    }, 1000);
    return () => window.clearInterval(tf);
  }, [waiting?.id]);
  return (
    <Page title={t("Merchant till (test)")} back="/wallet" testid="merchant-page">
      {done ? (
        <>
          <Paid payment={done} mine={me} />
          <button
            className="pay-secondary"
            onClick={() => {
              setDone(null);
              setCode("");
              setKey(crypto.randomUUID());
            }}
          >
            {t("Next customer")}
          </button>
        </>
      ) : waiting ? (
        <div className="card pay-code" data-testid="merchant-waiting">
          <div className="pay-done-amount">{yuan(waiting.amount_fen)}</div>
          <p className="muted">{t("Waiting for {{v0}} to confirm with their PIN…", { v0: waiting.payer_name })}</p>
        </div>
      ) : scanning ? (
        <CodeScanner
          onCode={(c) => {
            setScanning(false);
            setCode(c);
            charge(c);
          }}
          onClose={() => setScanning(false)}
        />
      ) : (
        <form
          className="pay-form"
          onSubmit={(e) => {
            e.preventDefault();
            charge(code.replace(/\s/g, ""));
          }}
        >
          <div className="card pay-amount">
            <div className="muted">{t("Charge")}</div>
            <div className="pay-amount-input">
              ¥<input inputMode="decimal" autoFocus value={amount} onChange={(e) => setAmount(e.target.value)} aria-label={t("Amount")} data-testid="merchant-amount" />
            </div>
            <input className="pay-note" maxLength={50} placeholder={t("What for (optional)")} value={note} onChange={(e) => setNote(e.target.value)} aria-label={t("Note")} />
          </div>
          <button type="button" className="primary" disabled={fen === null} onClick={() => setScanning(true)} data-testid="merchant-scan">
            {t("Scan customer's code")}
          </button>
          <input className="pin-input" inputMode="numeric" placeholder={t("…or type the 18 digits")} value={code} onChange={(e) => setCode(e.target.value)} aria-label={t("Payment code")} data-testid="merchant-code" />
          <button type="submit" className="pay-secondary" disabled={fen === null || code.replace(/\s/g, "").length !== 18} data-testid="merchant-charge">
            {fen !== null ? t("Charge {{amount}}", { amount: yuan(fen) }) : t("Charge")}
          </button>
          {error && (
            <p className="pay-error" role="alert">
              {error}
            </p>
          )}
        </form>
      )}
    </Page>
  );
}

function CodeScanner({ onCode, onClose }: { onCode: (code: string) => void; onClose: () => void }) {
  const t = useT();
  const video = useRef<HTMLVideoElement>(null);
  const [note, setNote] = useState("Point the camera at the customer's payment code");
  useQrCamera(
    video,
    (text) => {
      const digits = text.trim();
      if (!/^\d{18}$/.test(digits)) {
        setNote(t("That is not a payment code."));
        return false;
      }
      onCode(digits);
      return true;
    },
    setNote,
  );
  return (
    <div className="merchant-scan">
      <video ref={video} className="merchant-video" muted playsInline />
      <p className="muted" role="status">
        {note}
      </p>
      <button onClick={onClose}>{t("Cancel")}</button>
    </div>
  );
}

/** Payment PIN: change it with the old one, or — forgotten — reset it here with the account's
 *  password (only the phone may do that). */
export function PinPage() {
  const t = useT();
  const [hasPin, setHasPin] = useState<boolean | null>(null);
  const [forgot, setForgot] = useState(false);
  const [old, setOld] = useState("");
  const [password, setPassword] = useState("");
  const [pin, setPin] = useState("");
  const [result, setResult] = useState("");
  const [error, setError] = useState("");
  useEffect(() => {
    call<Wallet>("GET", "/wallet").then((w) => setHasPin(w.has_pin), (e) => setError(errorMessage(e)));
  }, []);
  const six = (s: string) => /^\d{6}$/.test(s);
  const needOld = hasPin === true && !forgot;
  const submit = () => {
    setError("");
    setResult("");
    const done = () => {
      setHasPin(true);
      setForgot(false);
      setResult("Your payment PIN is set.");
      setOld("");
      setPassword("");
      setPin("");
    };
    const req = forgot ? call<void>("POST", "/wallet/pin/reset", { password, pin }) : call<void>("PUT", "/wallet/pin", { pin, old_pin: needOld ? old : undefined });
    req.then(done, (e) => setError(errorMessage(e)));
  };
  return (
    <Page title={t("Payment PIN")} back="/wallet" testid="pin-page">
      <form
        className="pay-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        {forgot && <input className="pin-input" type="password" autoComplete="current-password" placeholder={t("Account password")} value={password} onChange={(e) => setPassword(e.target.value)} aria-label={t("Account password")} data-testid="pin-password" />}
        {needOld && <PinInput value={old} onChange={setOld} testid="pin-old" />}
        <input className="pin-input" type="password" inputMode="numeric" maxLength={6} placeholder={t("New 6-digit PIN")} value={pin} onChange={(e) => setPin(e.target.value.replace(/\D/g, ""))} aria-label={t("New PIN")} data-testid="pin-new" />
        <button className="primary" type="submit" disabled={hasPin === null || !six(pin) || (forgot ? !password : needOld && !six(old))} data-testid="pin-save">
          {hasPin ? t("Change PIN") : t("Set PIN")}
        </button>
        {hasPin && (
          <button type="button" className="link" onClick={() => setForgot(!forgot)} data-testid="pin-forgot">
            {forgot ? t("I remember my PIN") : t("Forgot your PIN?")}
          </button>
        )}
        {error && (
          <p className="pay-error" role="alert">
            {error}
          </p>
        )}
        {result && (
          <p className="muted" role="status" data-testid="pin-result">
            {result}
          </p>
        )}
      </form>
    </Page>
  );
}
