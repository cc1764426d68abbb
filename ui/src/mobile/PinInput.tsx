import { useT } from "../shared/i18n";
/** Six PIN digits, masked. */
export function PinInput({ value, onChange, testid = "pay-pin" }: { value: string; onChange: (v: string) => void; testid?: string }) {
  const t = useT();
  return (
    <input
      className="pin-input"
      type="password"
      inputMode="numeric"
      autoComplete="off"
      maxLength={6}
      placeholder={t("Payment PIN")}
      aria-label={t("Payment PIN")}
      value={value}
      onChange={(e) => onChange(e.target.value.replace(/\D/g, ""))}
      data-testid={testid}
    />
  );
}
