import type { Bill } from "../bindings";

/** What a bill line is called, on the desktop and the phone alike. */
export const billTitle: Record<Bill["kind"], string> = {
  top_up: "Top-up",
  withdrawal: "Withdrawal",
  transfer_out: "Transfer sent",
  transfer_in: "Transfer received",
  transfer_refund: "Transfer returned",
  envelope_sent: "Red envelope sent",
  envelope_grabbed: "Red envelope",
  envelope_returned: "Red envelope returned",
  payment_out: "Payment",
  payment_in: "Money received",
};

/** A bill line's name in a list: payments say who was on the other side. */
export function billLabel(b: Bill): string {
  if (b.kind === "payment_out" && b.counterparty_name) return `Paid ${b.counterparty_name}`;
  if (b.kind === "payment_in" && b.counterparty_name) return `From ${b.counterparty_name}`;
  return billTitle[b.kind];
}
