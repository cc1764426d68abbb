import { useEffect, useState } from "react";
import type { AppView } from "../bindings";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { CallWindow } from "./CallWindow";
import { ipc, onCoreEvent } from "./ipc";
import { LoginWindow } from "./LoginWindow";
import { MainWindow } from "./MainWindow";

/** The call window draws its call; the main window whatever the engine says the app is showing. */
export function App() {
  return isCallWindow() ? <CallWindow /> : <MainApp />;
}

function isCallWindow(): boolean {
  try {
    return getCurrentWindow().label === "call";
  } catch {
    return false;
  }
}

/** Renders whatever the engine says the app is showing; the engine is the source of truth. */
function MainApp() {
  const [view, setView] = useState<AppView | null>(null);
  const [online, setOnline] = useState(false);

  useEffect(() => {
    const unlisten = onCoreEvent((e) => {
      if (e.type === "view") setView(e.view);
      if (e.type === "connection") setOnline(e.online);
    });
    ipc.appView().then(setView);
    return () => {
      unlisten.then((f) => f());
    };
  }, []);

  if (!view) return null;
  if (view.state === "signed_in") return <MainWindow user={view.user} online={online} />;
  return <LoginWindow login={view.login} notice={view.notice} />;
}
