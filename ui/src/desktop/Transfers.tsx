import { useEffect, useState } from "react";
import type { Transfer } from "../bindings";
import { formatBytes } from "../shared/format";
import { errorText, ipc, onCoreEvent } from "./ipc";
import { TransferBar } from "./MediaBubble";
import { useT } from "../shared/i18n";

/** Every upload and download, newest first, live. */
export function Transfers() {
  const t = useT();
  const [list, setList] = useState<Transfer[]>([]);
  const [error, setError] = useState("");
  useEffect(() => {
    const load = () => ipc.transfers().then(setList, (e) => setError(errorText(e)));
    load();
    const unlisten = onCoreEvent((e) => {
      if (e.type !== "transfer") return;
      setList((cur) => (cur.some((tf) => tf.id === e.transfer.id) ? cur.map((tf) => (tf.id === e.transfer.id ? e.transfer : tf)) : [e.transfer, ...cur]));
    });
    return () => {
      unlisten.then((f) => f());
    };
  }, []);
  return (
    <>
      <aside className="list-pane">
        <div className="list-title">{t("Transfers")}</div>
        <p className="list-note">{t("Files going between this computer and your chats. They carry on after a restart.")}</p>
      </aside>
      <section className="content-pane transfers" data-testid="transfers">
        <header className="content-header">
          <h1>{t("Transfers")}</h1>
        </header>
        {error && <p className="error-line">{error}</p>}
        {list.length === 0 && <p className="list-empty">{t("Nothing sent or downloaded yet.")}</p>}
        <ul className="transfer-list">
          {list.map((tf) => (
            <li key={tf.id} className="transfer-row" data-testid="transfer-row" data-name={tf.name}>
              <span className={tf.direction === "up" ? "direction up" : "direction down"} aria-label={tf.direction === "up" ? t("Upload") : t("Download")}>
                {tf.direction === "up" ? "↑" : "↓"}
              </span>
              <div className="transfer-main">
                <div className="file-name">{tf.name}</div>
                {tf.state === "done" ? (
                  <div className="transfer-meta">
                    <span>
                      {formatBytes(tf.size)} · {tf.direction === "up" ? t("Sent") : t("Saved")}
                    </span>
                    <button className="link-like" onClick={() => ipc.showTransfer(tf.id).catch((e) => setError(errorText(e)))}>
                      {t("Show in folder")}
                    </button>
                  </div>
                ) : (
                  <TransferBar t={tf} onError={setError} />
                )}
              </div>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
