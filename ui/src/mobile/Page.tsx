import { Icon } from "../shared/icons";
import { useT } from "../shared/i18n";

/** A page below the tabs: a bar with Back and a title, then the content. */
export function Page({ title, back, children, testid, className = "" }: { title: string; back: () => void; children: React.ReactNode; testid: string; className?: string }) {
  const t = useT();
  return (
    <div className="app">
      <header className="bar">
        <button className="back" onClick={back} aria-label={t("Back")}>
          <Icon name="back" />
        </button>
        {title}
      </header>
      <main className={`page ${className}`.trim()} data-testid={testid}>
        {children}
      </main>
    </div>
  );
}
