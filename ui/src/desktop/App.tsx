import { useEffect, useState } from "react";
import type { AppView } from "../bindings";
import { ipc, onCoreEvent } from "./ipc";
import { LoginWindow } from "./LoginWindow";
import { MainWindow } from "./MainWindow";

/** Renders whatever the engine says the app is showing; the engine is the source of truth. */
export function App() {
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
