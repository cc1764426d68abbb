// Summit Coffee: sign in with Xin (a login code the shop's backend exchanges), order from the
// menu, pay with Xin, and watch the order's status. Every call to the backend goes through
// xin.request(), which reaches only the domains in app.json.
const API = window.COFFEE_API;
const $ = (id) => document.getElementById(id);
const yuan = (fen) => `¥${(fen / 100).toFixed(2)}`;
const cart = new Map();
let menu = [];
let session = null;
let cupName = "";

async function api(path, body) {
  const r = await xin.request({
    url: API + path,
    method: body ? "POST" : "GET",
    headers: { "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = r.body ? JSON.parse(r.body) : null;
  if (r.status >= 400) throw new Error((data && data.error) || `HTTP ${r.status}`);
  return data;
}

function status(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "status error" : "status";
}

async function signIn() {
  session = await xin.storage.get("session");
  if (session) {
    try {
      await api(`/api/me?session=${encodeURIComponent(session)}`);
      return;
    } catch {
      session = null;
    }
  }
  const { code } = await xin.login();
  session = (await api("/api/login", { code })).session;
  await xin.storage.set("session", session);
}

function render() {
  const list = $("menu");
  list.replaceChildren(
    ...menu.map((item) => {
      const li = document.createElement("li");
      li.dataset.item = item.id;
      const n = cart.get(item.id) || 0;
      li.innerHTML = `<span class="emoji">${item.emoji}</span>
        <div class="what"><div class="name"></div><div class="price">${yuan(item.price_fen)}</div></div>
        <div class="qty">${n ? `<button class="remove" aria-label="One less">−</button><span>${n}</span>` : ""}
        <button class="add" aria-label="Add ${item.name}">+</button></div>`;
      li.querySelector(".name").textContent = item.name;
      li.querySelector(".add").onclick = () => { cart.set(item.id, n + 1); render(); };
      const less = li.querySelector(".remove");
      if (less) less.onclick = () => { n > 1 ? cart.set(item.id, n - 1) : cart.delete(item.id); render(); };
      return li;
    }),
  );
  const count = [...cart.values()].reduce((a, b) => a + b, 0);
  const total = menu.reduce((sum, i) => sum + (cart.get(i.id) || 0) * i.price_fen, 0);
  $("cart").hidden = count === 0;
  $("cart-summary").textContent = `${count} item${count === 1 ? "" : "s"} · ${yuan(total)}`;
  $("pay").textContent = `Pay ${yuan(total)}`;
}

async function pay() {
  $("pay").disabled = true;
  try {
    const items = [...cart.entries()].map(([id, qty]) => ({ id, qty }));
    // The backend prices the order and creates it with Xin: the page cannot set the amount.
    const order = await api("/api/orders", { session, items, name: cupName });
    status(`Order ${order.number}: confirm the payment in Xin…`);
    await xin.requestPayment({ orderId: order.order_id });
    cart.clear();
    render();
    $("menu").hidden = true;
    $("name-on-cup").hidden = true;
    $("order-number").textContent = order.number;
    $("done").hidden = false;
    status("");
    await watch(order.order_id);
  } catch (e) {
    status(e.message || String(e), true);
  } finally {
    $("pay").disabled = false;
  }
}

async function watch(id) {
  for (let i = 0; i < 30; i++) {
    const o = await api(`/api/orders/${id}?session=${encodeURIComponent(session)}`);
    if (o.state === "paid") {
      $("order-state").textContent = `Paid ${yuan(o.amount_fen)} · we are making it now.`;
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

$("pay").onclick = pay;
$("again").onclick = () => { $("done").hidden = true; $("menu").hidden = false; $("name-on-cup").hidden = false; };
$("name-on-cup").onclick = async () => {
  try {
    const me = await xin.getProfile();
    cupName = me.name;
    $("greeting").textContent = `Hi ${me.name}, your name goes on the cup.`;
  } catch (e) {
    status(e.message || String(e), true);
  }
};

(async () => {
  try {
    await signIn();
    menu = (await api("/api/menu")).items;
    status("Pick your drinks; pay with Xin.");
    $("name-on-cup").hidden = false;
    render();
  } catch (e) {
    status(`Could not reach the shop: ${e.message || e}`, true);
  }
})();
