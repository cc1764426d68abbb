import { useState } from "react";
import type { UserProfile } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { Icon } from "../shared/icons";
import { Settings } from "./Settings";

type Tab = "chats" | "contacts" | "moments" | "wallet" | "files" | "settings";

const tabs: { id: Tab; label: string }[] = [
  { id: "chats", label: "Chats" },
  { id: "contacts", label: "Contacts" },
  { id: "moments", label: "Moments" },
  { id: "wallet", label: "Wallet" },
  { id: "files", label: "File Transfer" },
];

/** Rail, list pane, content pane — the frame every signed-in screen lives in. */
export function MainWindow({ user, online }: { user: UserProfile; online: boolean }) {
  const [tab, setTab] = useState<Tab>("chats");
  return (
    <div className="main" data-testid="main-window">
      <nav className="rail" aria-label="Sections">
        <div className="rail-me" title={`${user.display_name} (@${user.handle})`} data-testid="rail-me">
          <Avatar user={user} size={36} />
          <span className={online ? "dot online" : "dot"} aria-label={online ? "Connected" : "Connecting"} />
        </div>
        {tabs.map((t) => (
          <button
            key={t.id}
            className={tab === t.id ? "rail-item active" : "rail-item"}
            aria-label={t.label}
            aria-current={tab === t.id}
            title={t.label}
            data-testid={`rail-${t.id}`}
            onClick={() => setTab(t.id)}
          >
            <Icon name={t.id} />
          </button>
        ))}
        <div className="rail-spacer" />
        <button
          className={tab === "settings" ? "rail-item active" : "rail-item"}
          aria-label="Settings"
          title="Settings"
          data-testid="rail-settings"
          onClick={() => setTab("settings")}
        >
          <Icon name="settings" />
        </button>
      </nav>
      {tab === "settings" ? <Settings user={user} /> : <Placeholder tab={tab} />}
    </div>
  );
}

const empty: Record<Exclude<Tab, "settings">, [string, string]> = {
  chats: ["No chats yet", "Chats with your friends will show up here."],
  contacts: ["No contacts yet", "Friends you add will show up here."],
  moments: ["Moments", "Your friends' posts will show up here."],
  wallet: ["Wallet", "Your balance and transfers will show up here."],
  files: ["File Transfer", "Send files between your phone and this computer."],
};

function Placeholder({ tab }: { tab: Exclude<Tab, "settings"> }) {
  const [title, body] = empty[tab];
  return (
    <>
      <aside className="list-pane">
        <div className="list-search">
          <input placeholder="Search" aria-label="Search" />
          <button className="plus" aria-label="Add">
            +
          </button>
        </div>
        <p className="list-empty">{title}</p>
      </aside>
      <section className="content-pane empty-content">
        <p>{body}</p>
      </section>
    </>
  );
}
