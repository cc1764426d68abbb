import { useEffect, useState } from "react";
import type { ChatMessage, MoneyTransfer } from "../bindings";
import { yuan } from "../shared/format";
import { errorText, ipc, onCoreEvent } from "./ipc";
import { useT } from "../shared/i18n";

const stateText: Record<MoneyTransfer["state"], string> = {
  pending: "",
  accepted: "Accepted",
  declined: "Declined",
  refunded: "Returned",
};

/** The orange transfer card in a chat. Its state is the transfer's, read from the server and
 *  again whenever the wallet changes; the recipient accepts or declines it here. */
export function TransferCard({ item, me, onError }: { item: ChatMessage; me: string; onError: (e: string) => void }) {
  const t = useT();
  const c = item.message.content;
  const id = c.type === "transfer" ? c.transfer_id : "";
  const [tf, setT] = useState<MoneyTransfer | null>(null);
  useEffect(() => {
    const load = () => ipc.transfer(id).then(setT, () => {});
    load();
    const unlisten = onCoreEvent((e) => e.type === "wallet_changed" && load());
    return () => {
      unlisten.then((f) => f());
    };
  }, [id]);
  if (c.type !== "transfer") return null;
  const mine = item.message.sender_id === me;
  const state = tf?.state ?? "pending";
  const settled = state !== "pending";
  const answer = (accept: boolean) => ipc.answerTransfer(id, accept).then(setT, (e) => onError(errorText(e)));
  const caption = settled ? stateText[state] : mine ? t("Waiting for them to accept") : "Transfer to you";
  return (
    <div className={settled ? "money-card settled" : "money-card"} data-testid="transfer-card" data-state={state}>
      <div className="money-top">
        <span className="money-icon" aria-hidden>
          ⇄
        </span>
        <div>
          <div className="money-amount">{yuan(c.amount_fen)}</div>
          <div className="money-note">{c.note || caption}</div>
        </div>
      </div>
      <div className="money-foot">
        <span>{c.note ? caption : t("Xin Transfer")}</span>
        {!mine && !settled && tf && (
          <span className="money-actions">
            <button onClick={() => answer(false)} data-testid="transfer-decline">
              {t("Decline")}
            </button>
            <button className="accept" onClick={() => answer(true)} data-testid="transfer-accept">
              {t("Accept")}
            </button>
          </span>
        )}
      </div>
    </div>
  );
}
