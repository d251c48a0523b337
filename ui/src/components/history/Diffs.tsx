// A property's value before and after a change, as the core reports it.
import type { PropertyDiff } from "../../bindings/PropertyDiff";
import { showValue } from "../../lib/history";

export function PropertyDiffs({ properties, testId }: { properties: PropertyDiff[]; testId?: string }) {
  if (properties.length === 0) return <p className="text-[12px] text-faint">No property changed.</p>;
  return (
    <ul className="flex flex-col gap-0.5 text-[12px]" data-testid={testId}>
      {properties.map((p) => (
        <li key={p.key} className="grid grid-cols-[minmax(80px,auto)_minmax(0,1fr)] gap-2" data-selectable>
          <span className="font-mono text-muted">{p.key}</span>
          <span className="min-w-0 font-mono [overflow-wrap:anywhere]">
            <span className={p.before === null ? "text-faint italic" : "text-danger line-through decoration-danger/40"}>{showValue(p.before)}</span>
            <span className="px-1 text-faint">→</span>
            <span className={p.after === null ? "text-faint italic" : "text-ok"}>{showValue(p.after)}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}
