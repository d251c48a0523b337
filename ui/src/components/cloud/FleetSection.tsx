// The fleet at a glance (top of the Overview), each fact once: instances by state and by
// region, nodes with no instance, instances the cloud no longer knows, nodes in transition, and
// the last errors. Every name clicks through to the node; every count filters the node list.
import { useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, Cloud, Globe2, Loader2, RefreshCw, Rocket, Unplug } from "lucide-react";
import { cloudActions, useFleetOverview } from "../../lib/cloud";
import { explain } from "../../lib/errors";
import { useUi } from "../../lib/store";
import type { InstanceState as StateName } from "../../bindings/InstanceState";
import type { StateCount } from "../../bindings/StateCount";
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

/** What the Overview's node list shows; the fleet panel sets the facets of its own facts. */
export type FleetFacet = { kind: "state"; state: StateName } | { kind: "region"; region: string | null } | { kind: "no-instance" };

const sameFacet = (a: FleetFacet, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Instances counted as there: every state but terminated (a terminated instance is not launched
 * any more), less the ones the cloud no longer knows (the backend counts those as unknown).
 * Derived from the per-state counts: the overview has no such number of its own.
 */
export function liveInstances(byState: StateCount[], missing = 0): number {
  return Math.max(0, byState.reduce((sum, s) => (s.state === "terminated" ? sum : sum + s.count), 0) - missing);
}

function countOf(byState: StateCount[], state: StateName): number {
  return byState.find((s) => s.state === state)?.count ?? 0;
}

const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? "" : "s"}`;

/**
 * The fleet, each fact once: instances by state (terminated as terminated, never as launched),
 * by region, nodes without an instance, instances the cloud no longer knows, property
 * problems, the last errors. Clicking a count shows its nodes in the Overview's list.
 */
export function FleetSection({ facet, onFacet }: { facet?: unknown; onFacet?: (facet: FleetFacet) => void }) {
  const overview = useFleetOverview();
  const client = useQueryClient();
  const o = overview.data;
  if (overview.error) return <ErrorNote error={explain(overview.error)} testId="fleet-error" />;
  if (!o) return null;
  const live = liveInstances(o.byState, o.missing.length);
  const terminated = countOf(o.byState, "terminated");
  const active = (f: FleetFacet) => sameFacet(f, facet);
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
            <Button size="sm" icon={<RefreshCw size={12} />} disabled={o.withInstance === 0} onClick={() => cloudActions.refresh(client, { kind: "all" })} data-testid="fleet-refresh">
              Refresh all
            </Button>
          </span>
        }
      >
        <span className="flex items-center gap-1.5" title={terminated || o.missing.length ? "Terminated instances and ones the cloud no longer knows are not counted; they have their own counts below." : undefined}>
          <Cloud size={13} /> Fleet ·{" "}
          <span data-testid="fleet-instances" data-count={live}>
            {plural(live, "instance")}
          </span>
        </span>
      </SectionTitle>

      <div className="flex flex-wrap gap-1.5" data-testid="fleet-states">
        {o.byState.map((s) => (
          <button
            key={s.state}
            onClick={() => onFacet?.({ kind: "state", state: s.state })}
            disabled={s.count === 0}
            data-testid={`fleet-state-${s.state}`}
            data-count={s.count}
            aria-pressed={active({ kind: "state", state: s.state })}
            className={cx(
              "flex items-center gap-1.5 rounded-md border px-2.5 py-1 text-[12px]",
              s.count ? cx("border-line-strong hover:bg-hover", stateLook(s.state).badge) : "border-line text-faint",
              active({ kind: "state", state: s.state }) && "ring-1 ring-accent",
            )}
          >
            <StateDot state={s.state} /> {stateLook(s.state).label}
            <span className="font-semibold tabular-nums">{s.count}</span>
          </button>
        ))}
      </div>

      {o.withInstance > 0 && (
        <div className="flex h-2 w-full overflow-hidden rounded-full bg-panel-2" aria-hidden>
          {o.byState
            .filter((s) => s.count)
            .map((s) => (
              <span key={s.state} className={cx("h-full", stateLook(s.state).dot)} style={{ width: `${(s.count / o.withInstance) * 100}%` }} />
            ))}
        </div>
      )}

      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <div>
          <p className="mb-1 flex items-center gap-1.5 text-[12px] font-medium text-muted">
            <Globe2 size={12} /> By region
          </p>
          <ul className="flex flex-col gap-0.5 text-[12px]" data-testid="fleet-regions">
            {o.byRegion.map((r) => {
              const f: FleetFacet = { kind: "region", region: r.region };
              const regionLive = liveInstances(r.byState, o.missing.filter((m) => m.region === r.region).length);
              return (
                <li key={String(r.region)} data-testid={`fleet-region-${r.region ?? "none"}`} data-nodes={r.nodes} data-instances={regionLive}>
                  <button
                    onClick={() => onFacet?.(f)}
                    data-testid={`region-${r.region ?? "none"}`}
                    aria-pressed={active(f)}
                    className={cx("flex w-full flex-wrap items-center gap-x-2 gap-y-0.5 rounded-md px-1.5 py-1 text-left hover:bg-hover", active(f) && "bg-accent-soft")}
                  >
                    <span className={cx("w-28 shrink-0 truncate text-[13px]", !r.region && "text-muted italic")}>{r.region ?? "no region set"}</span>
                    <span className="text-muted tabular-nums">
                      {plural(r.nodes, "node")} · {plural(regionLive, "instance")}
                    </span>
                    <span className="flex min-w-0 flex-wrap gap-1">
                      {r.byState.map((s) => (
                        <span key={s.state} className={cx("rounded-full px-1.5 text-[11px]", stateLook(s.state).badge)} data-testid={`fleet-region-${r.region ?? "none"}-${s.state}`}>
                          {s.count} {s.state}
                        </span>
                      ))}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
        <div className="flex flex-col gap-2 text-[12px]">
          <div>
            <p className="flex items-center gap-1.5 font-medium" data-testid="fleet-no-instance-count" data-count={o.noInstance.length}>
              <Rocket size={12} />
              <button
                className={cx("rounded px-1 hover:bg-hover", active({ kind: "no-instance" }) && "bg-accent-soft")}
                onClick={() => onFacet?.({ kind: "no-instance" })}
                aria-pressed={active({ kind: "no-instance" })}
                data-testid="facet-not-launched"
              >
                {plural(o.noInstance.length, "node")} without an instance
              </button>
            </p>
            {o.noInstance.length > 0 && (
              <div className="mt-0.5 pl-[18px]">
                <NodeLinks names={o.noInstance} testId="fleet-no-instance" />
                <Button size="sm" className="mt-1" icon={<Rocket size={12} />} onClick={() => cloudActions.launch(o.noInstance.length === 1 ? { kind: "node", name: o.noInstance[0] } : { kind: "nodes", names: o.noInstance })} data-testid="fleet-launch-missing">
                  Launch these…
                </Button>
              </div>
            )}
          </div>
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
