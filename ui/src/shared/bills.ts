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
};
