import { useEffect, useState } from "react";
import { createPortal } from "react-dom";
import type { ChatMessage, Envelope } from "../bindings";
import { yuan } from "../shared/format";
import { errorText, ipc, onCoreEvent } from "./ipc";
import { useT } from "../shared/i18n";

/** A red envelope in a chat: open it to grab a share; the details show who got what, best
 *  luck, and — once finished — whether the revealed seed proves the split was fixed in advance. */
export function RedEnvelopeCard({ item, me, names, onError }: { item: ChatMessage; me: string; names: Map<string, string>; onError: (e: string) => void }) {
  const t = useT();
  const c = item.message.content;
  const id = c.type === "red_envelope" ? c.envelope_id : "";
  const [e, setE] = useState<Envelope | null>(null);
  const [verified, setVerified] = useState<boolean | null>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const load = () =>
      ipc.envelope(id).then(([env, ok]) => {
        setE(env);
        setVerified(ok);
      }, () => {});
    load();
    const unlisten = onCoreEvent((ev) => ev.type === "wallet_changed" && load());
    return () => {
      unlisten.then((f) => f());
    };
  }, [id]);
  if (c.type !== "red_envelope") return null;
  const mine = e?.grabs.find((g) => g.user_id === me);
  const opened = !!mine || (e !== null && e.state !== "open");
  const click = () => {
    if (e && !mine && e.state === "open" && !(item.message.sender_id === me && e.shares === 1))
      ipc.grabEnvelope(id).then(
        (env) => {
          setE(env);
          setOpen(true);
        },
        (err) => {
          onError(errorText(err));
          setOpen(true);
        },
      );
    else setOpen(true);
  };
  const name = (u: string) => (u === me ? t("Me") : names.get(u) ?? "Someone");
  return (
    <>
      <button className={opened ? "red-card opened" : "red-card"} onClick={click} data-testid="red-envelope" data-state={e?.state ?? ""} data-mine={mine ? String(mine.amount_fen) : ""}>
        <span className="red-top">
          <span className="red-icon" aria-hidden>
            福
          </span>
          <span>
            <span className="red-note">{c.note || t("Best wishes")}</span>
            <span className="red-status">{mine ? t("Opened · {{v0}}", { v0: yuan(mine.amount_fen) }) : e?.state === "finished" ? t("All grabbed") : e?.state === "returned" ? t("Expired") : ""}</span>
          </span>
        </span>
        <span className="red-foot">{c.kind === "lucky" ? t("Lucky") : t("Red envelope")}</span>
      </button>
      {open &&
        e &&
        createPortal(
          <div className="modal-backdrop" onClick={() => setOpen(false)}>
            <div className="modal red-details" role="dialog" aria-label={t("Red envelope")} onClick={(ev) => ev.stopPropagation()} data-testid="envelope-details">
              <h3>{e.sender_id === me ? t("My red envelope") : t("{{name}}'s red envelope", { name: name(e.sender_id) })}</h3>
              <p className="muted">{c.note}</p>
              {mine && <div className="red-got">{yuan(mine.amount_fen)}</div>}
              <p className="muted">
                {t("{{opened}}/{{shares}} opened · {{taken}} of {{total}}", { opened: e.grabs.length, shares: e.shares, taken: yuan(e.grabs.reduce((s, g) => s + g.amount_fen, 0)), total: yuan(e.amount_fen) })}
              </p>
              <ul className="red-grabs">
                {e.grabs.map((g) => (
                  <li key={g.user_id}>
                    <span>
                      {name(g.user_id)}
                      {e.best_luck === g.user_id && <span className="best-luck"> · {t("Best luck")}</span>}
                    </span>
                    <span>{yuan(g.amount_fen)}</span>
                  </li>
                ))}
              </ul>
              <p className="red-verify" data-testid="envelope-verify">
                {verified === null
                  ? t("The split was fixed when it was sent: seed hash {{v0}}…, revealed when it is finished.", { v0: e.commitment.slice(0, 16) })
                  : verified
                    ? `✓ ${t("Verified: the revealed seed matches its hash and reproduces every share.")}`
                    : `✗ ${t("The revealed seed does not reproduce this split.")}`}
              </p>
              <div className="modal-actions">
                <button onClick={() => setOpen(false)}>{t("Close")}</button>
              </div>
            </div>
          </div>,
          document.body,
        )}
    </>
  );
}
