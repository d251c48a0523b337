// The Fleet tab: every instance of the account (tracked by this repository, another
// repository's, untracked) in the regions the nodes use or in every enabled region, with its
// account and region, status checks, scheduled events, a CPU sparkline and its price; sortable
// (by cost and CPU too), filterable and virtualized so it stays smooth at 10,000 rows. A region
// that cannot be read says so above the table while the others' rows show. Untracked instances
// can be picked and imported as nodes; instances that disagree with their node are marked.
import { Fragment, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { ArrowDown, ArrowUp, CalendarClock, Download, HeartCrack, Loader2, RefreshCw, TriangleAlert } from "lucide-react";
import type { AccountInstance } from "../../bindings/AccountInstance";
import type { Drift } from "../../bindings/Drift";
import type { InstanceTracking } from "../../bindings/InstanceTracking";
import type { WallRow } from "../../bindings/WallRow";
import { backend } from "../../lib/backend";
import { DRIFT_LABEL, driftValue, isAddressField, useTakeDrift } from "../../lib/drift";
import { fleetKeys } from "../../lib/queryKeys";
import { explain } from "../../lib/errors";
import { useUi } from "../../lib/store";
import { cpuText, EVENT_LABEL, eventDay, sortOrder, useFleetWall, wallRows } from "../../lib/wall";
import { Button, cx, ErrorNote, Field, Input, Modal, Select, Switch } from "../ui";
import { StateDot } from "../ui/StateDot";
import { FixButton, useFixElsewhere } from "./FixButton";
import { RegionError } from "./FleetHealth";
import { Sparkline } from "./Sparkline";

type Column =
  | "state" | "account" | "region" | "id" | "name" | "tracking" | "type" | "checks" | "events" | "cpu" | "hourly" | "monthly"
  | "zone" | "launched" | "public" | "private" | "keyPair";
const COLUMNS: { key: Column; label: string; width: string }[] = [
  // What a team lead looks for first (health, load, cost) comes right after the name; the
  // details follow.
  { key: "state", label: "State", width: "110px" },
  { key: "name", label: "Name / node", width: "200px" },
  { key: "checks", label: "Checks", width: "96px" },
  { key: "events", label: "Events", width: "140px" },
  { key: "cpu", label: "CPU (3 h)", width: "116px" },
  { key: "hourly", label: "Per hour", width: "86px" },
  { key: "monthly", label: "Per month", width: "92px" },
  { key: "type", label: "Type", width: "90px" },
  { key: "region", label: "Region", width: "100px" },
  { key: "account", label: "Account", width: "110px" },
  { key: "id", label: "Instance", width: "170px" },
  { key: "tracking", label: "Tracked", width: "110px" },
  { key: "zone", label: "Zone", width: "100px" },
  { key: "launched", label: "Up for", width: "80px" },
  { key: "public", label: "Public", width: "200px" },
  { key: "private", label: "Private IP", width: "110px" },
  { key: "keyPair", label: "Key pair", width: "100px" },
];
// Fixed tracks only: the sticky header and the absolutely placed rows are separate grids, and
// `fr` tracks would size them differently once the table is wider than its pane.
const GRID = `28px ${COLUMNS.map((c) => c.width).join(" ")}`;
const ROW = 30;
/** The columns the filter looks in. */
const TEXT_COLUMNS: Column[] = ["state", "account", "region", "id", "name", "tracking", "type", "zone", "public", "private", "keyPair"];

const TRACKING_LABEL: Record<InstanceTracking, string> = { tracked: "this repository", otherRepository: "another repository", untracked: "untracked" };

/** "3d 4h", "5h 2m", "12m" since an RFC 3339 time. */
export function uptime(since: string | null, now = Date.now()): string {
  if (!since) return "";
  const minutes = Math.max(0, Math.floor((now - Date.parse(since)) / 60000));
  if (Number.isNaN(minutes)) return "";
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m`;
}

function value(r: WallRow, c: Column): string {
  const i = r.instance;
  switch (c) {
    case "state": return i.state;
    case "account": return r.accountId;
    case "region": return i.region;
    case "id": return i.id;
    case "name": return i.node ?? i.name ?? "";
    case "tracking": return i.tracking;
    case "type": return i.instanceType ?? "";
    case "checks": return r.impaired ? "impaired" : (r.instanceCheck ?? r.systemCheck ?? "");
    case "events": return r.events[0]?.notBefore ?? "";
    case "cpu": return cpuText(r.cpuAverage);
    case "hourly": return r.hourlyText;
    case "monthly": return r.monthlyText;
    case "zone": return i.zone ?? "";
    case "launched": return i.launchTime ?? "";
    case "public": return i.publicAddress ?? "";
    case "private": return i.privateIp ?? "";
    case "keyPair": return i.keyPair ?? "";
  }
}

/** Stopped instances pay for their volumes, not hours. */
const stopped = (i: AccountInstance) => i.state === "stopped" || i.state === "stopping";

/** What a column sorts by: numbers for load and cost (unknown last), a day for events, else its text. */
function sortKey(c: Column): (r: WallRow) => string | number | null {
  switch (c) {
    case "cpu": return (r) => r.cpuAverage;
    case "hourly": return (r) => r.hourly;
    case "monthly": return (r) => r.monthly;
    case "events": return (r) => r.events[0]?.notBefore ?? null;
    default: return (r) => value(r, c);
  }
}

export function FleetTable() {
  const wall = useFleetWall();
  const drift = useQuery({ queryKey: fleetKeys.drift, queryFn: () => backend.cloudDrift({ kind: "all" }), staleTime: 30_000 });
  const client = useQueryClient();
  const allRegions = useUi((s) => s.allRegions);
  const focus = useUi((s) => s.fleetFocus);
  const fix = useFixElsewhere();
  const [text, setText] = useState("");
  const [tracking, setTracking] = useState<InstanceTracking | "all">("all");
  const [sort, setSort] = useState<{ by: Column; desc: boolean }>({ by: "name", desc: false });
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [importing, setImporting] = useState(false);

  const rows = wallRows(wall.data);
  const accounts = wall.data?.accounts ?? [];

  const driftByNode = useMemo(() => {
    const m = new Map<string, Drift[]>();
    for (const d of drift.data ?? []) m.set(d.node, [...(m.get(d.node) ?? []), d]);
    return m;
  }, [drift.data]);

  // Each row's text for the filter, made once per answer; the order, once per answer or sort;
  // typing in the filter then only walks the order.
  const haystacks = useMemo(() => rows.map((r) => TEXT_COLUMNS.map((c) => value(r, c)).join("\n").toLowerCase()), [rows]);
  const order = useMemo(() => sortOrder(rows, sortKey(sort.by), sort.desc), [rows, sort]);
  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return order.filter((i) => (tracking === "all" || rows[i].instance.tracking === tracking) && (!needle || haystacks[i].includes(needle)));
  }, [order, rows, haystacks, text, tracking]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: shown.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 12 });
  const pickedUntracked = rows.filter((r) => picked.has(r.instance.id) && r.instance.tracking === "untracked").map((r) => r.instance);
  const regions = accounts.flatMap((a) => a.regions.map((r) => r.region));
  const pricesAsOf = accounts.map((a) => a.pricesAsOf).find((d) => d);

  // An alert about an untracked instance opened the tab: scroll its row into view, once (the
  // minute's refresh does not pull the view back to it).
  const scrolledTo = useRef<string | null>(null);
  useEffect(() => {
    if (!focus || scrolledTo.current === focus) return;
    const index = shown.findIndex((i) => rows[i].instance.id === focus);
    if (index < 0) return;
    scrolledTo.current = focus;
    virtualizer.scrollToIndex(index, { align: "center" });
  }, [focus, shown, rows, virtualizer]);

  const refresh = () => {
    void client.invalidateQueries({ queryKey: fleetKeys.statusAll });
    void client.invalidateQueries({ queryKey: fleetKeys.drift });
  };
  // Picking rows of this repository's instances selects their nodes, so the action bar
  // (Launch, Terminate, the cloud menu) works on them; untracked ones are for importing.
  const toggle = (id: string) => {
    const next = new Set(picked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setPicked(next);
    const nodes = rows.filter((r) => next.has(r.instance.id) && r.instance.node).map((r) => r.instance.node!);
    if (nodes.length) useUi.getState().select(nodes, nodes[nodes.length - 1]);
  };

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-2 p-3" data-testid="fleet-table">
      <div className="flex flex-wrap items-center gap-2">
        <div className="w-60">
          <Input value={text} onChange={(e) => setText(e.target.value)} placeholder="Filter: id, name, type, region, address…" data-testid="fleet-filter" />
        </div>
        <div className="w-52">
        <Select value={tracking} onChange={(e) => setTracking(e.target.value as InstanceTracking | "all")} data-testid="fleet-tracking">
          <option value="all">All instances</option>
          <option value="tracked">Tracked by this repository</option>
          <option value="untracked">Untracked</option>
          <option value="otherRepository">Another repository's</option>
        </Select>
        </div>
        <Switch id="fleet-all-regions" checked={allRegions} onChange={(v) => useUi.getState().setAllRegions(v)} label="All regions" testId="fleet-all-regions" />
        <span className="text-[12px] text-muted" data-testid="fleet-count">
          {wall.isLoading ? "Reading the account…" : `${shown.length} of ${rows.length} instances${regions.length ? ` in ${regions.length > 4 ? `${regions.length} regions` : regions.join(", ")}` : ""}`}
        </span>
        {pricesAsOf && (
          <span className="text-[12px] text-faint" data-testid="fleet-prices-as-of" title="On-demand Linux prices of the AWS Price List (spot: the latest spot price); stopped instances pay for their volumes, not hours.">
            prices as of {pricesAsOf}
          </span>
        )}
        <div className="ml-auto flex items-center gap-2">
          <Button icon={<Download size={14} />} disabled={!pickedUntracked.length} onClick={() => setImporting(true)} data-testid="fleet-import">
            Import {pickedUntracked.length || ""} as nodes…
          </Button>
          <Button icon={wall.isFetching ? <Loader2 size={14} className="animate-spin" /> : <RefreshCw size={14} />} onClick={refresh} data-testid="fleet-refresh">
            Refresh
          </Button>
        </div>
      </div>
      <ErrorNote error={wall.error ? explain(wall.error) : null} testId="fleet-error" />
      {accounts.map((a, n) => (
        <div key={a.accountId ?? `section-${n}`} className="flex flex-col gap-1" data-testid={`fleet-account-${a.accountId ?? n}`}>
          {(accounts.length > 1 || a.error) && (
            <p className="text-[12px] text-muted">
              <span className="font-medium text-fg">{a.accountId ? `Account ${a.accountId}` : "Account"}</span> · {a.label}
              {a.accountId && <> · {a.totals.account.monthlyText} a month</>}
            </p>
          )}
          {a.error && (
            <div className="flex flex-wrap items-start gap-2">
              <ErrorNote error={explain(a.error)} testId="fleet-account-error" className="min-w-0 flex-1" />
              {a.fix && <FixButton fix={a.fix} handlers={fix} testId="fleet-account-fix" />}
            </div>
          )}
          {a.regions
            .filter((r) => r.error)
            .map((r) => (
              <RegionError key={r.region} region={r.region} error={r.error!} testId={`fleet-region-error-${r.region}`} />
            ))}
        </div>
      ))}
      {!wall.isLoading && !wall.error && !allRegions && regions.length === 0 && accounts.every((a) => !a.error) && (
        <p className="text-[13px] text-muted" data-testid="fleet-no-regions">No node names a region yet: give a node a region, or switch on All regions, to see the account's instances.</p>
      )}
      <div className="min-h-0 flex-1 overflow-auto rounded-md border border-line" ref={scroller} role="grid" aria-rowcount={shown.length}>
        <div className="sticky top-0 z-10 grid min-w-max border-b border-line bg-panel text-[12px] font-medium text-muted" style={{ gridTemplateColumns: GRID }} role="row">
          <span />
          {COLUMNS.map((c) => (
            <button
              key={c.key}
              className="flex items-center gap-1 px-2 py-1.5 text-left hover:text-fg"
              onClick={() => setSort((s) => ({ by: c.key, desc: s.by === c.key ? !s.desc : false }))}
              data-testid={`fleet-sort-${c.key}`}
              aria-sort={sort.by === c.key ? (sort.desc ? "descending" : "ascending") : "none"}
            >
              {c.label}
              {sort.by === c.key && (sort.desc ? <ArrowDown size={11} /> : <ArrowUp size={11} />)}
            </button>
          ))}
        </div>
        <div className="min-w-max" style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((v) => {
            const r = rows[shown[v.index]];
            const i = r.instance;
            const drifts = i.node ? driftByNode.get(i.node) : undefined;
            // One cell per column, placed in COLUMNS' order (the one list that orders them).
            const cells: Record<Column, ReactNode> = {
              state: <span className="flex items-center gap-1.5 px-2"><StateDot state={i.state} /> {i.state}</span>,
              account: <span className="truncate px-2 font-mono text-[11.5px] text-muted">{r.accountId}</span>,
              region: <span className="truncate px-2">{i.region}</span>,
              id: <span className="truncate px-2 font-mono text-[11.5px]">{i.id}</span>,
              name: <span className="flex min-w-0 items-center gap-1 truncate px-2">
                {i.node ? (
                  <button className="truncate text-accent hover:underline" onClick={() => useUi.getState().open(i.node!)}>{i.node}</button>
                ) : (
                  <span className="truncate">{i.name ?? <span className="text-faint">(no Name tag)</span>}</span>
                )}
                {drifts && (
                  <span title={drifts.map((d) => `${DRIFT_LABEL[d.field]}: ${driftValue(d.nodeValue)} → ${driftValue(d.instanceValue)}`).join("\n")} className="flex shrink-0 items-center gap-0.5 text-warn" data-testid={`fleet-drift-${i.id}`}>
                    <TriangleAlert size={12} /> {drifts.length}
                  </span>
                )}
              </span>,
              tracking: <span className="truncate px-2 text-muted">{TRACKING_LABEL[i.tracking]}</span>,
              type: <span className="truncate px-2">{i.instanceType}</span>,
              checks: <Checks row={r} />,
              events: <Events row={r} />,
              cpu: <span className="flex items-center gap-1.5 px-2" title={r.idle ? "Idle for days: its CPU peaked under 5% each day" : undefined}>
                <Sparkline values={r.cpuRecent} testId={`fleet-cpu-${i.id}`} />
                <span className={cx("tabular-nums", r.idle && "text-warn")} data-testid={`fleet-cpu-average-${i.id}`}>{cpuText(r.cpuAverage)}</span>
              </span>,
              hourly: <Cost text={r.hourlyText} known={r.hourly !== null && !stopped(i)} stopped={stopped(i)} spot={r.priceKind === "spot"} testId={`fleet-hourly-${i.id}`} />,
              monthly: <Cost text={r.monthlyText} known={r.monthly !== null} stopped={stopped(i)} spot={false} testId={`fleet-monthly-${i.id}`} />,
              zone: <span className="truncate px-2">{i.zone}</span>,
              launched: <span className="truncate px-2">{uptime(i.launchTime)}</span>,
              public: <span className="truncate px-2 font-mono text-[11.5px]">{i.publicAddress}</span>,
              private: <span className="truncate px-2 font-mono text-[11.5px]">{i.privateIp}</span>,
              keyPair: <span className="truncate px-2">{i.keyPair}</span>,
            };
            return (
              <div
                key={i.id}
                role="row"
                data-testid={`fleet-row-${i.id}`}
                data-tracking={i.tracking}
                data-drift={drifts ? drifts.length : undefined}
                data-impaired={r.impaired || undefined}
                data-focused={focus === i.id || undefined}
                className={cx(
                  "absolute inset-x-0 grid min-w-max items-center border-b border-line text-[12.5px]",
                  picked.has(i.id) && "bg-accent-soft",
                  focus === i.id && "outline-2 -outline-offset-2 outline-accent",
                )}
                style={{ gridTemplateColumns: GRID, height: ROW, transform: `translateY(${v.start}px)` }}
              >
                <input type="checkbox" className="mx-auto" checked={picked.has(i.id)} onChange={() => toggle(i.id)} aria-label={`Pick ${i.id}`} data-testid={`fleet-pick-${i.id}`} />
                {COLUMNS.map((c) => (
                  <Fragment key={c.key}>{cells[c.key]}</Fragment>
                ))}
              </div>
            );
          })}
        </div>
      </div>
      {!!drift.data?.length && <DriftList drifts={drift.data} />}
      {importing && (
        <ImportDialog
          picked={pickedUntracked}
          onClose={() => setImporting(false)}
          onDone={() => {
            setImporting(false);
            setPicked(new Set());
            refresh();
          }}
        />
      )}
    </div>
  );
}

/** Both status checks; a failing one is marked and says which. */
function Checks({ row: r }: { row: WallRow }) {
  const id = r.instance.id;
  const title = r.systemCheck || r.instanceCheck ? `System check: ${r.systemCheck ?? "none"} · instance check: ${r.instanceCheck ?? "none"}` : "EC2 reports no checks (the instance is not running)";
  if (r.impaired) {
    return (
      <span className="flex items-center gap-1 px-2 font-medium text-danger" title={title} data-testid={`fleet-impaired-${id}`}>
        <HeartCrack size={13} aria-hidden /> impaired
      </span>
    );
  }
  const shown = r.systemCheck === "ok" && r.instanceCheck === "ok" ? "ok" : (r.instanceCheck ?? r.systemCheck);
  return (
    <span className={cx("truncate px-2", shown === "ok" ? "text-ok" : "text-muted")} title={title} data-testid={`fleet-checks-${id}`}>
      {shown ?? ""}
    </span>
  );
}

/** The next scheduled event with its day; every event in the tooltip. */
function Events({ row: r }: { row: WallRow }) {
  const first = r.events[0];
  if (!first) return <span />;
  const title = r.events.map((e) => `${EVENT_LABEL[e.kind]} ${eventDay(e.notBefore)}: ${e.description}`).join("\n");
  return (
    <span className="flex min-w-0 items-center gap-1 truncate px-2 text-warn" title={title} data-testid={`fleet-event-${r.instance.id}`} data-kind={first.kind}>
      <CalendarClock size={13} className="shrink-0" aria-hidden />
      <span className="truncate">
        {EVENT_LABEL[first.kind]} {eventDay(first.notBefore)}
        {r.events.length > 1 && ` +${r.events.length - 1}`}
      </span>
    </span>
  );
}

/** A cost cell as the core words it: a figure, "unknown" (never a made-up one), or "volumes only" for a stopped instance. */
function Cost({ text, known, stopped, spot, testId }: { text: string; known: boolean; stopped: boolean; spot: boolean; testId: string }) {
  return (
    <span
      className={cx("truncate px-2 text-right tabular-nums", !known && "text-faint italic")}
      title={stopped ? "Stopped: it pays for its volumes, not hours" : !known && text ? "No price is known for this type here" : spot ? "The latest spot price" : undefined}
      data-testid={testId}
    >
      {text}
      {spot && known && <span className="ml-1 text-[10.5px] text-muted">spot</span>}
    </span>
  );
}

function DriftList({ drifts }: { drifts: Drift[] }) {
  const take = useTakeDrift();
  return (
    <div className="max-h-40 overflow-auto rounded-md border border-warn/40 p-2 text-[12.5px]" data-testid="fleet-drift-list">
      <p className="mb-1 font-medium text-warn">Nodes and their instances disagree ({drifts.length})</p>
      <ErrorNote error={take.error ? explain(take.error) : null} testId="fleet-drift-error" />
      {drifts.map((d) => (
        <p key={`${d.node}-${d.field}`} className="flex items-center gap-2" data-testid={`drift-${d.node}-${d.field}`}>
          <span className="min-w-0 flex-1">
            <button className="text-accent hover:underline" onClick={() => useUi.getState().open(d.node)}>{d.node}</button>: {DRIFT_LABEL[d.field]} is{" "}
            <code>{driftValue(d.nodeValue)}</code>, instance {d.instanceId} has <code>{driftValue(d.instanceValue)}</code>
          </span>
          <Button
            size="sm"
            variant="ghost"
            disabled={take.isPending}
            onClick={() => take.mutate({ node: d.node, fields: [d.field] })}
            title={isAddressField(d.field) ? `Read ${d.node}'s addresses from its instance again` : `Write the instance's ${DRIFT_LABEL[d.field].toLowerCase()} into ${d.node}`}
            data-testid={`drift-take-${d.node}-${d.field}`}
          >
            {isAddressField(d.field) ? "Refresh addresses" : "Use instance's value"}
          </Button>
        </p>
      ))}
    </div>
  );
}

/** Picks the system and tagging, previews the names (made valid and unique), then imports. */
function ImportDialog({ picked, onClose, onDone }: { picked: AccountInstance[]; onClose: () => void; onDone: () => void }) {
  const client = useQueryClient();
  const [into, setInto] = useState("imported");
  const [tag, setTag] = useState(false);
  const byRegion = new Map<string, string[]>();
  for (const p of picked) byRegion.set(p.region, [...(byRegion.get(p.region) ?? []), p.id]);
  const requests = [...byRegion].map(([region, ids]) => ({ region, instanceIds: ids, into: into.trim() || null, tag }));
  const preview = useQuery({
    queryKey: fleetKeys.importPreview(requests),
    queryFn: async () => (await Promise.all(requests.map((r) => backend.importPreview(r)))).flat(),
    staleTime: 0,
  });
  const run = useMutation({
    mutationFn: async () => (await Promise.all(requests.map((r) => backend.importInstances(r)))).flat(),
    onSuccess: (names) => {
      useUi.getState().log(`Imported ${names.length} instance${names.length === 1 ? "" : "s"} as nodes: ${names.join(", ")}`);
      void client.invalidateQueries();
      onDone();
    },
  });
  return (
    <Modal
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Import ${picked.length} instance${picked.length === 1 ? "" : "s"} as nodes`}
      description="Each becomes a node with the instance's region, image, type, key pair, groups, subnet and addresses. Nothing is written before you click Import."
      testId="import-dialog"
      footer={
        <>
          <Button onClick={onClose} data-testid="import-cancel">Cancel</Button>
          <Button variant="primary" disabled={!preview.data?.length || run.isPending} onClick={() => run.mutate()} data-testid="import-confirm">
            Import {preview.data?.length ?? ""}
          </Button>
        </>
      }
    >
      <div className="flex flex-col gap-3">
        <Field label="Into the system" htmlFor="import-into" hint="Made if it does not exist; empty: the top level.">
          <Input id="import-into" value={into} onChange={(e) => setInto(e.target.value)} data-testid="import-into" />
        </Field>
        <Switch id="import-tag" checked={tag} onChange={setTag} label="Also tag the instances as this repository's (poni:repo, poni:node)" testId="import-tag" />
        <ErrorNote error={preview.error ? explain(preview.error) : run.error ? explain(run.error) : null} testId="import-error" />
        <div className="rounded-md border border-line" data-testid="import-preview">
          {(preview.data ?? []).map((n) => (
            <p key={n.instanceId} className="flex gap-2 border-b border-line px-2 py-1 text-[12.5px] last:border-0" data-testid={`import-row-${n.instanceId}`}>
              <span className="font-mono text-[11.5px] text-muted">{n.instanceId}</span>
              <span>{n.name}</span>
              {n.renamedFrom && <span className="text-warn">(Name tag '{n.renamedFrom}' made valid and unique)</span>}
            </p>
          ))}
          {preview.isLoading && <p className="px-2 py-1 text-muted">Working out the names…</p>}
        </div>
      </div>
    </Modal>
  );
}
