import { createRoot } from "react-dom/client";
import type { Language } from "../bindings";
import { i18n } from "../shared/i18n";
import { App } from "./App";
import { ipc } from "./ipc";
import "./styles.css";

// The Rust side words the chat list's previews, notifications and the tray: it reads in the
// language the UI does, now and whenever the user switches.
const tellCore = (lang: string) => void ipc.setLanguage(lang as Language).catch(() => {});
tellCore(i18n.language);
i18n.on("languageChanged", tellCore);

const root = document.getElementById("root");
if (root) createRoot(root).render(<App />);
