/** Six PIN digits, masked. */
export function PinInput({ value, onChange, testid = "pay-pin" }: { value: string; onChange: (v: string) => void; testid?: string }) {
  return (
    <input
      className="pin-input"
      type="password"
      inputMode="numeric"
      autoComplete="off"
      maxLength={6}
      placeholder="Payment PIN"
      aria-label="Payment PIN"
      value={value}
      onChange={(e) => onChange(e.target.value.replace(/\D/g, ""))}
      data-testid={testid}
    />
  );
}
