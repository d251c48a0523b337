// The fleet wall on the Overview: what needs someone (failing status checks, scheduled events,
// idle instances, long-stopped ones, untracked ones that cost money), each in the core's words
// with what to do and a link to its node or fleet row; and the monthly cost per system, region
// and account, with the day of the prices. A region or an account that cannot be read says so
// in its place; the rest shows.
import type { ReactNode } from "react";
import { ArrowRight, CalendarClock, CircleDollarSign, Ghost, HeartCrack, Moon, Square, Stethoscope } from "lucide-react";
import type { AlertKind } from "../../bindings/AlertKind";
import type { ErrorPayload } from "../../bindings/ErrorPayload";
import type { WallAlert } from "../../bindings/WallAlert";
import { explain } from "../../lib/errors";
import { useUi } from "../../lib/store";
import { cpuText, eventDay, useFleetWall, wallAlerts } from "../../lib/wall";
import { cx, ErrorNote, SectionTitle } from "../ui";
import { FixButton, useFixElsewhere } from "./FixButton";

/** How many alerts the list paints; the rest are counted. */
const ALERT_LIMIT = 50;

const ALERT_ICON: Record<AlertKind, ReactNode> = {
  impaired: <HeartCrack size={13} className="text-danger" aria-hidden />,
  "scheduled-event": <CalendarClock size={13} className="text-warn" aria-hidden />,
  idle: <Moon size={13} className="text-muted" aria-hidden />,
  "stopped-long": <Square size={12} className="text-muted" aria-hidden />,
  "untracked-running": <Ghost size={13} className="text-warn" aria-hidden />,
};

/** A region that could not be read, in its own place: the other regions show regardless. */
export function RegionError({ region, error, testId }: { region: string; error: ErrorPayload; testId: string }) {
  const x = explain(error);
  return (
    <div role="alert" className="flex gap-2 rounded-md border border-danger/40 bg-danger-soft px-3 py-1.5 text-[12.5px]" data-testid={testId} data-region={region}>
      <span className="shrink-0 font-medium">{region}</span>
      <span className="min-w-0 break-words" data-selectable>
        {x.message}
        {x.hint && <span className="text-muted"> {x.hint}</span>}
      </span>
    </div>
  );
}

/** Where an alert leads: its node in the tree, or an untracked instance's row in the Fleet tab. */
function follow(a: WallAlert) {
  const ui = useUi.getState();
  if (a.node) ui.select([a.node], a.node);
  else ui.showInstance(a.instanceId);
}

/** The Overview's alerts, and the failures of accounts and regions beside them. */
export function FleetAlerts() {
  const wall = useFleetWall();
  const fix = useFixElsewhere();
  const data = wall.data;
  if (!data) return null;
  const alerts = wallAlerts(data);
  const failures = data.accounts.flatMap((a) => a.regions.filter((r) => r.error).map((r) => ({ region: r.region, error: r.error! })));
  const asked = data.accounts.some((a) => a.regions.length > 0 || a.error);
  if (!asked) return null;
  return (
    <section className={cx("flex flex-col gap-2 rounded-lg border bg-panel p-3.5", alerts.length ? "border-warn/50" : "border-line")} data-testid="overview-alerts" data-count={alerts.length}>
      <SectionTitle right={<span className="text-[12px] text-muted">checked every minute while shown</span>}>
        <span className="flex items-center gap-1.5">
          <Stethoscope size={13} /> {alerts.length ? `${alerts.length} thing${alerts.length === 1 ? "" : "s"} need${alerts.length === 1 ? "s" : ""} attention` : "Health"}
        </span>
      </SectionTitle>
      {data.accounts
        .filter((a) => a.error)
        .map((a, n) => (
          <div key={a.accountId ?? `section-${n}`} className="flex flex-wrap items-start gap-2">
            <ErrorNote error={explain(a.error)} testId="overview-account-error" className="min-w-0 flex-1" />
            {a.fix && <FixButton fix={a.fix} handlers={fix} testId="overview-account-fix" />}
          </div>
        ))}
      {failures.map((f) => (
        <RegionError key={f.region} region={f.region} error={f.error} testId={`overview-region-error-${f.region}`} />
      ))}
      {alerts.length === 0 ? (
        <p className="text-[12px] text-muted" data-testid="overview-alerts-none">
          Nothing needs attention: every status check passes, no event is scheduled, nothing is idle, long stopped or running untracked.
        </p>
      ) : (
        <ul className="flex flex-col text-[12.5px]">
          {alerts.slice(0, ALERT_LIMIT).map((a) => (
            <li key={`${a.kind}-${a.accountId}-${a.instanceId}`}>
              <button
                className="group flex w-full items-start gap-2 rounded px-2 py-1 text-left hover:bg-hover"
                onClick={() => follow(a)}
                title={a.node ? `Select ${a.node}` : `Show ${a.instanceId} in the Fleet tab`}
                data-testid={`overview-alert-${a.kind}-${a.instanceId}`}
                data-kind={a.kind}
                data-node={a.node ?? undefined}
              >
                <span className="mt-0.5 shrink-0">{ALERT_ICON[a.kind]}</span>
                <span className="min-w-0 flex-1">
                  <span className="break-words" data-testid="alert-text">
                    {a.text}
                  </span>
                  {a.due && <span className="ml-1 text-muted tabular-nums">({eventDay(a.due)})</span>}
                  <span className="block text-[12px] text-muted" data-testid="alert-advice">
                    {a.advice}
                  </span>
                </span>
                <span className="shrink-0 text-[11.5px] text-faint">
                  {a.node ?? a.instanceId} · {a.region}
                </span>
                <ArrowRight size={13} className="mt-0.5 shrink-0 text-faint opacity-0 group-hover:opacity-100" aria-hidden />
              </button>
            </li>
          ))}
          {alerts.length > ALERT_LIMIT && <li className="px-2 py-1 text-[12px] text-muted">…and {alerts.length - ALERT_LIMIT} more (the Fleet tab shows every instance).</li>}
        </ul>
      )}
    </section>
  );
}

/** The monthly cost of the running instances per account, system and region, with the day of the prices. */
export function FleetCosts() {
  const wall = useFleetWall();
  const accounts = (wall.data?.accounts ?? []).filter((a) => a.accountId && a.rows.length > 0);
  if (accounts.length === 0) return null;
  return (
    <section className="flex flex-col gap-3 rounded-lg border border-line bg-panel p-3.5" data-testid="overview-costs">
      {accounts.map((a) => (
        <div key={a.accountId} className="flex flex-col gap-2" data-testid={`overview-cost-account-${a.accountId}`}>
          <SectionTitle
            right={
              a.pricesAsOf ? (
                <span className="text-[12px] text-muted" data-testid="overview-prices-as-of">
                  prices as of {a.pricesAsOf}
                </span>
              ) : (
                <span className="text-[12px] text-muted">no prices known</span>
              )
            }
          >
            <span className="flex items-center gap-1.5">
              <CircleDollarSign size={13} /> A month · account {a.accountId}
              <span className="font-semibold text-fg tabular-nums" data-testid={`overview-cost-total-${a.accountId}`}>
                {a.totals.account.monthlyText}
              </span>
              {a.totals.unknownPrice > 0 && <span className="text-muted">+ {a.totals.unknownPrice} without a price</span>}
            </span>
          </SectionTitle>
          <p className="text-[12px] text-muted">
            {a.label}. Running instances at the hourly price times 730 hours; stopped ones pay for their volumes, not hours.
          </p>
          {a.totals.bySystem.length > 0 && (
            <ul className="grid grid-cols-1 gap-x-4 gap-y-0.5 text-[12.5px] md:grid-cols-2" data-testid="overview-cost-systems">
              {a.totals.bySystem.map((l) => (
                <li key={l.name} className="flex items-center gap-2" data-testid={`overview-cost-system-${l.name}`} data-monthly={l.monthly}>
                  <span className="min-w-0 flex-1 truncate">{l.name}</span>
                  {l.cpuAverage !== null && <span className="text-[12px] text-muted tabular-nums" title="Average CPU over the last 3 hours">CPU {cpuText(l.cpuAverage)}</span>}
                  <span className="font-medium tabular-nums" data-testid={`overview-cost-system-${l.name}-monthly`}>
                    {l.monthlyText}
                  </span>
                  {l.unknownPrice > 0 && <span className="text-[12px] text-faint">+ {l.unknownPrice} unknown</span>}
                </li>
              ))}
            </ul>
          )}
          <p className="flex flex-wrap gap-x-3 gap-y-0.5 text-[12px] text-muted" data-testid="overview-cost-regions">
            {a.totals.byRegion.map((l) => (
              <span key={l.name} data-testid={`overview-cost-region-${l.name}`}>
                {l.name} <span className="text-fg tabular-nums">{l.monthlyText}</span>
                {l.unknownPrice > 0 && <span className="text-faint"> + {l.unknownPrice} unknown</span>}
              </span>
            ))}
          </p>
        </div>
      ))}
    </section>
  );
}
