import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { Broadcast, OfficialAccount } from "../bindings";
import { ChatList, type ServiceRow } from "./ChatList";

const cafe: OfficialAccount = { id: "a1", handle: "cafe", name: "Summit Coffee", intro: "", kind: "service", avatar_hue: 30, avatar: null, followers: 2, following: true, mine: false, last_message: null };
const daily: Broadcast = { id: "b1", account_id: "a2", account_name: "Crag Daily", account_kind: "subscription", account_hue: 200, account_avatar: null, articles: [{ id: "r1", title: "Five crags", cover: null, digest: "" }], sent_at: 1_000, delivered: 2 };
const render = (services: ServiceRow[], subscriptionsUnread: boolean) =>
  renderToStaticMarkup(<ChatList chats={[]} me="u1" selected={null} onSelect={() => {}} onPlus={() => {}} latest={daily} subscriptionsUnread={subscriptionsUnread} services={services} />);

describe("ChatList's official rows", () => {
  it("counts a service account's unread on its row and dots Subscriptions", () => {
    const html = render([{ account: cafe, time: 2_000, preview: "Open 7 am", unread: 3 }], true);
    expect(html).toMatch(/data-testid="service-row" data-title="Summit Coffee" data-unread="3">.*<span class="badge">3<\/span>/);
    expect(html).toContain('data-unread="true"');
    expect(html).toContain('aria-label="New articles"');
  });

  it("shows no badge when everything was read", () => {
    const html = render([{ account: cafe, time: 2_000, preview: "Open 7 am", unread: 0 }], false);
    expect(html).not.toContain('class="badge');
  });
});
