// window.xin: what a mini-program may ask of Xin, put into every page of a package before its
// own scripts. On the desktop each call goes through the one command the sandbox window may
// use; on the phone the page runs in a sandboxed iframe with no origin of its own, and each
// call is a message to the companion around it. Either way Xin checks the call against the
// manifest and the user's consent.
(() => {
  if (window.xin) return;
  let next = 0;
  const waiting = new Map();
  addEventListener("message", (e) => {
    const m = e.data;
    if (e.source !== window.parent || !m || m.xin !== 1 || !waiting.has(m.id)) return;
    const { resolve, reject } = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error) reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
    else resolve(m.ok);
  });
  const viaParent = (c) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, { resolve, reject });
      window.parent.postMessage({ xin: 1, id, call: c }, "*");
    });
  const call = (c) => {
    const tauri = window.__TAURI_INTERNALS__;
    if (!tauri) return viaParent(c);
    return tauri.invoke("mini_program_bridge", { call: c }).catch((e) => {
      throw Object.assign(new Error(e && e.message ? e.message : String(e)), { code: e && e.code });
    });
  };
  const storage = Object.freeze({
    get: (key) => call({ type: "storage_get", key: String(key) }),
    set: (key, value) => call({ type: "storage_set", key: String(key), value: String(value) }),
    remove: (key) => call({ type: "storage_remove", key: String(key) }),
    keys: () => call({ type: "storage_keys" }),
  });
  Object.defineProperty(window, "xin", {
    value: Object.freeze({
      login: () => call({ type: "login" }),
      getProfile: () => call({ type: "get_profile" }),
      request: (r) => call({ type: "request", request: r }),
      requestPayment: (order) => call({ type: "request_payment", order_id: String((order && (order.orderId || order.order_id || order.id)) || order) }),
      storage,
    }),
  });
  // Xin's colours, light and dark, for pages that use them.
  const theme = `:root{--xin-green:#07c160;--xin-bg:#ededed;--xin-surface:#fff;--xin-text:#191919;--xin-secondary:#888;--xin-border:#e5e5e5;--xin-danger:#fa5151}
@media (prefers-color-scheme: dark){:root{--xin-bg:#111;--xin-surface:#1e1e1e;--xin-text:#e5e5e5;--xin-secondary:#8c8c8c;--xin-border:#2c2c2c}}`;
  const addTheme = () => {
    const style = document.createElement("style");
    style.textContent = theme;
    document.head.prepend(style);
  };
  if (document.head) addTheme();
  else document.addEventListener("DOMContentLoaded", addTheme);
})();
