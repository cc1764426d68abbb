// window.xin: what a mini-program may ask of Xin. Every call goes through one command,
// `mini_program_bridge`, which checks it against the manifest and the user's consent.
(() => {
  if (window.xin) return;
  const call = (c) => window.__TAURI_INTERNALS__.invoke("mini_program_bridge", { call: c });
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
      requestPayment: (order) => call({ type: "request_payment", order_id: String(order && (order.orderId || order.order_id || order.id) || order) }),
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
