// The fleet at a glance (top of the Overview): instances by state and by region, nodes with
// no instance, instances the cloud no longer knows, nodes in transition, and the last errors.
// Every name clicks through to the node.
import { useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, Cloud, Globe2, Loader2, RefreshCw, Rocket, Unplug } from "lucide-react";
import { cloudActions, useFleetOverview } from "../../lib/cloud";
import { explain } from "../../lib/errors";
import { useUi } from "../../lib/store";
import type { TreeModel } from "../../lib/treeModel";
import type { StateBadge as StateName } from "../../bindings/StateBadge";
import { Button, cx, ErrorNote, SectionTitle } from "../ui";
import { StateDot, stateLook } from "../ui/StateDot";

function NodeLinks({ names, testId, limit = 8 }: { names: string[]; testId: string; limit?: number }) {
  const [all, setAll] = useState(false);
  const shown = all ? names : names.slice(0, limit);
  return (
    <span className="flex flex-wrap gap-x-2 gap-y-0.5" data-testid={testId}>
      {shown.map((n) => (
        <button key={n} className="text-accent hover:underline" onClick={() => useUi.getState().select([n], n)} onDoubleClick={() => useUi.getState().open(n)} data-testid={`${testId}-${n}`}>
          {n}
        </button>
      ))}
      {names.length > shown.length && (
        <button className="text-muted underline" onClick={() => setAll(true)}>
          and {names.length - shown.length} more
        </button>
      )}
    </span>
  );
}

export function FleetSection({ onState }: { model?: TreeModel; onState?: (state: StateName) => void }) {
  const overview = useFleetOverview();
  const client = useQueryClient();
  const o = overview.data;
  if (overview.error) return <ErrorNote error={explain(overview.error)} testId="fleet-error" />;
  if (!o) return null;
  const total = o.withInstance;
  return (
    <section className="flex flex-col gap-3 rounded-lg border border-line bg-panel p-3.5" data-testid="fleet">
      <SectionTitle
        right={
          <span className="flex items-center gap-2">
            {o.refreshing && (
              <span className="flex items-center gap-1 text-[12px] text-muted" data-testid="fleet-refreshing">
                <Loader2 size={12} className="animate-spin" /> watching {o.transitional.length} in transition
              </span>
            )}
            <Button size="sm" icon={<RefreshCw size={12} />} disabled={total === 0} onClick={() => cloudActions.refresh(client, { kind: "all" })} data-testid="fleet-refresh">
              Refresh all
            </Button>
          </span>
        }
      >
        <span className="flex items-center gap-1.5">
          <Cloud size={13} /> Fleet · {total} instance{total === 1 ? "" : "s"} for {o.nodes} node{o.nodes === 1 ? "" : "s"}
        </span>
      </SectionTitle>

      <div className="flex flex-wrap gap-1.5" data-testid="fleet-states">
        {o.byState.map((s) => (
          <button
            key={s.state}
            onClick={() => onState?.(s.state)}
            disabled={s.count === 0}
            data-testid={`fleet-state-${s.state}`}
            data-count={s.count}
            className={cx(
              "flex items-center gap-1.5 rounded-md border px-2.5 py-1 text-[12px]",
              s.count ? cx("border-line-strong hover:bg-hover", stateLook(s.state).badge) : "border-line text-faint",
            )}
          >
            <StateDot state={s.state} /> {stateLook(s.state).label}
            <span className="font-semibold tabular-nums">{s.count}</span>
          </button>
        ))}
      </div>

      {total > 0 && (
        <div className="flex h-2 w-full overflow-hidden rounded-full bg-panel-2" aria-hidden>
          {o.byState
            .filter((s) => s.count)
            .map((s) => (
              <span key={s.state} className={cx("h-full", stateLook(s.state).dot)} style={{ width: `${(s.count / total) * 100}%` }} />
            ))}
        </div>
      )}

      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <div>
          <p className="mb-1 flex items-center gap-1.5 text-[12px] font-medium text-muted">
            <Globe2 size={12} /> By region
          </p>
          <ul className="flex flex-col gap-1 text-[12px]" data-testid="fleet-regions">
            {o.byRegion.map((r) => (
              <li key={String(r.region)} className="flex items-center gap-2" data-testid={`fleet-region-${r.region ?? "none"}`}>
                <span className={cx("w-28 shrink-0 truncate", !r.region && "text-muted italic")}>{r.region ?? "no region set"}</span>
                <span className="text-muted tabular-nums">
                  {r.instances}/{r.nodes}
                </span>
                <span className="flex min-w-0 flex-wrap gap-1">
                  {r.byState.map((s) => (
                    <span key={s.state} className={cx("rounded-full px-1.5 text-[11px]", stateLook(s.state).badge)}>
                      {s.count} {s.state}
                    </span>
                  ))}
                </span>
              </li>
            ))}
          </ul>
        </div>
        <div className="flex flex-col gap-2 text-[12px]">
          <Fact icon={<Rocket size={12} />} label={`${o.noInstance.length} without an instance`} testId="fleet-no-instance-count">
            {o.noInstance.length > 0 && (
              <>
                <NodeLinks names={o.noInstance} testId="fleet-no-instance" />
                {o.noInstance.length > 0 && (
                  <Button size="sm" className="mt-1" icon={<Rocket size={12} />} onClick={() => cloudActions.launch(o.noInstance.length === 1 ? { kind: "node", name: o.noInstance[0] } : { kind: "nodes", names: o.noInstance })} data-testid="fleet-launch-missing">
                    Launch these…
                  </Button>
                )}
              </>
            )}
          </Fact>
          {o.missing.length > 0 && (
            <Fact icon={<Unplug size={12} className="text-danger" />} label={`${o.missing.length} instance${o.missing.length === 1 ? "" : "s"} the cloud no longer knows`} testId="fleet-missing-count">
              <ul data-testid="fleet-missing">
                {o.missing.map((m) => (
                  <li key={m.node}>
                    <button className="text-accent hover:underline" onClick={() => useUi.getState().select([m.node], m.node)} data-testid={`fleet-missing-${m.node}`}>
                      {m.node}
                    </button>{" "}
                    <span className="font-mono text-muted">{m.instanceId}</span> <span className="text-faint">{m.region ?? ""}</span>
                  </li>
                ))}
              </ul>
            </Fact>
          )}
          {o.withProblems.length > 0 && (
            <Fact icon={<AlertTriangle size={12} className="text-danger" />} label={`${o.withProblems.length} cannot be launched (property problems)`} testId="fleet-problems-count">
              <NodeLinks names={o.withProblems} testId="fleet-problems" />
            </Fact>
          )}
        </div>
      </div>

      {o.lastErrors.length > 0 && (
        <div data-testid="fleet-errors">
          <p className="mb-1 flex items-center gap-1.5 text-[12px] font-medium text-muted">
            <AlertTriangle size={12} /> Last errors and warnings
          </p>
          <ul className="flex flex-col gap-0.5 text-[12px]">
            {o.lastErrors.slice(0, 6).map((e, i) => (
              <li key={`${e.at}-${i}`} className={cx("flex gap-2", e.severity === "error" ? "text-danger" : "text-warn")}>
                <span className="shrink-0 text-faint tabular-nums">{new Date(e.at).toLocaleTimeString([], { hour12: false })}</span>
                {e.node && (
                  <button className="shrink-0 font-medium text-accent hover:underline" onClick={() => useUi.getState().select([e.node!], e.node!)}>
                    {e.node}
                  </button>
                )}
                <span className="min-w-0 break-words" data-selectable>
                  {explain(e).message}
                  {explain(e).hint && <span className="text-muted"> {explain(e).hint}</span>}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function Fact({ icon, label, children, testId }: { icon: ReactNode; label: string; children?: ReactNode; testId: string }) {
  return (
    <div>
      <p className="flex items-center gap-1.5 font-medium" data-testid={testId}>
        {icon} {label}
      </p>
      {children && <div className="mt-0.5 pl-[18px]">{children}</div>}
    </div>
  );
}
