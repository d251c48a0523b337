// The Fleet tab: every instance of the account in the regions the nodes use (tracked by this
// repository, another repository's, untracked), sortable, filterable and virtualized so it
// stays smooth at 10,000 rows; untracked ones can be picked and imported as nodes; instances
// that disagree with their node are marked, with the difference listed.
import { useMemo, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { ArrowDown, ArrowUp, Download, Loader2, RefreshCw, TriangleAlert } from "lucide-react";
import type { AccountInstance } from "../../bindings/AccountInstance";
import type { Drift } from "../../bindings/Drift";
import type { InstanceTracking } from "../../bindings/InstanceTracking";
import { backend } from "../../lib/backend";
import { DRIFT_LABEL, driftValue, isAddressField, useTakeDrift } from "../../lib/drift";
import { fleetKeys } from "../../lib/queryKeys";
import { explain } from "../../lib/errors";
import { useUi } from "../../lib/store";
import { Button, cx, ErrorNote, Field, Input, Modal, Select, Switch } from "../ui";
import { StateDot } from "../ui/StateDot";

type Column = "state" | "id" | "name" | "tracking" | "type" | "zone" | "launched" | "public" | "private" | "keyPair";
const COLUMNS: { key: Column; label: string; width: string }[] = [
  { key: "state", label: "State", width: "110px" },
  { key: "id", label: "Instance", width: "170px" },
  { key: "name", label: "Name / node", width: "minmax(140px,1fr)" },
  { key: "tracking", label: "Tracked", width: "110px" },
  { key: "type", label: "Type", width: "90px" },
  { key: "zone", label: "Zone", width: "100px" },
  { key: "launched", label: "Up for", width: "80px" },
  { key: "public", label: "Public", width: "minmax(120px,1fr)" },
  { key: "private", label: "Private IP", width: "110px" },
  { key: "keyPair", label: "Key pair", width: "100px" },
];
const GRID = `28px ${COLUMNS.map((c) => c.width).join(" ")}`;
const ROW = 30;

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

function value(i: AccountInstance, c: Column): string {
  switch (c) {
    case "state": return i.state;
    case "id": return i.id;
    case "name": return i.node ?? i.name ?? "";
    case "tracking": return i.tracking;
    case "type": return i.instanceType ?? "";
    case "zone": return i.zone ?? "";
    case "launched": return i.launchTime ?? "";
    case "public": return i.publicAddress ?? "";
    case "private": return i.privateIp ?? "";
    case "keyPair": return i.keyPair ?? "";
  }
}

export function FleetTable() {
  const instances = useQuery({ queryKey: fleetKeys.instances, queryFn: () => backend.accountInstances([]), staleTime: 30_000 });
  const drift = useQuery({ queryKey: fleetKeys.drift, queryFn: () => backend.cloudDrift({ kind: "all" }), staleTime: 30_000 });
  const client = useQueryClient();
  const [text, setText] = useState("");
  const [tracking, setTracking] = useState<InstanceTracking | "all">("all");
  const [sort, setSort] = useState<{ by: Column; desc: boolean }>({ by: "name", desc: false });
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [importing, setImporting] = useState(false);

  const driftByNode = useMemo(() => {
    const m = new Map<string, Drift[]>();
    for (const d of drift.data ?? []) m.set(d.node, [...(m.get(d.node) ?? []), d]);
    return m;
  }, [drift.data]);

  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    const list = (instances.data ?? []).filter(
      (i) => (tracking === "all" || i.tracking === tracking) && (!needle || COLUMNS.some((c) => value(i, c.key).toLowerCase().includes(needle))),
    );
    const dir = sort.desc ? -1 : 1;
    return list.sort((a, b) => dir * value(a, sort.by).localeCompare(value(b, sort.by)) || a.id.localeCompare(b.id));
  }, [instances.data, text, tracking, sort]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 12 });
  const pickedUntracked = rows.filter((r) => picked.has(r.id) && r.tracking === "untracked");
  const regions = [...new Set((instances.data ?? []).map((i) => i.region))];
  const refresh = () => {
    void client.invalidateQueries({ queryKey: fleetKeys.instances });
    void client.invalidateQueries({ queryKey: fleetKeys.drift });
  };
  // Picking rows of this repository's instances selects their nodes, so the action bar
  // (Launch, Terminate, the cloud menu) works on them; untracked ones are for importing.
  const toggle = (id: string) => {
    const next = new Set(picked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setPicked(next);
    const nodes = (instances.data ?? []).filter((r) => next.has(r.id) && r.node).map((r) => r.node!);
    if (nodes.length) useUi.getState().select(nodes, nodes[nodes.length - 1]);
  };

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-2 p-3" data-testid="fleet-table">
      <div className="flex flex-wrap items-center gap-2">
        <div className="w-60">
          <Input value={text} onChange={(e) => setText(e.target.value)} placeholder="Filter: id, name, type, zone, address…" data-testid="fleet-filter" />
        </div>
        <div className="w-52">
        <Select value={tracking} onChange={(e) => setTracking(e.target.value as InstanceTracking | "all")} data-testid="fleet-tracking">
          <option value="all">All instances</option>
          <option value="tracked">Tracked by this repository</option>
          <option value="untracked">Untracked</option>
          <option value="otherRepository">Another repository's</option>
        </Select>
        </div>
        <span className="text-[12px] text-muted" data-testid="fleet-count">
          {instances.isLoading ? "Reading the account…" : `${rows.length} of ${instances.data?.length ?? 0} instances${regions.length ? ` in ${regions.join(", ")}` : ""}`}
        </span>
        <div className="ml-auto flex items-center gap-2">
          <Button icon={<Download size={14} />} disabled={!pickedUntracked.length} onClick={() => setImporting(true)} data-testid="fleet-import">
            Import {pickedUntracked.length || ""} as nodes…
          </Button>
          <Button icon={instances.isFetching ? <Loader2 size={14} className="animate-spin" /> : <RefreshCw size={14} />} onClick={refresh} data-testid="fleet-refresh">
            Refresh
          </Button>
        </div>
      </div>
      <ErrorNote error={instances.error ? explain(instances.error) : null} testId="fleet-error" />
      {!instances.isLoading && !instances.error && regions.length === 0 && (
        <p className="text-[13px] text-muted" data-testid="fleet-no-regions">No node names a region yet: give a node a region to see the account's instances there.</p>
      )}
      <div className="min-h-0 flex-1 overflow-auto rounded-md border border-line" ref={scroller} role="grid" aria-rowcount={rows.length}>
        <div className="sticky top-0 z-10 grid border-b border-line bg-panel text-[12px] font-medium text-muted" style={{ gridTemplateColumns: GRID }} role="row">
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
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((v) => {
            const i = rows[v.index];
            const drifts = i.node ? driftByNode.get(i.node) : undefined;
            return (
              <div
                key={i.id}
                role="row"
                data-testid={`fleet-row-${i.id}`}
                data-tracking={i.tracking}
                data-drift={drifts ? drifts.length : undefined}
                className={cx("absolute inset-x-0 grid items-center border-b border-line text-[12.5px]", picked.has(i.id) && "bg-accent-soft")}
                style={{ gridTemplateColumns: GRID, height: ROW, transform: `translateY(${v.start}px)` }}
              >
                <input type="checkbox" className="mx-auto" checked={picked.has(i.id)} onChange={() => toggle(i.id)} aria-label={`Pick ${i.id}`} data-testid={`fleet-pick-${i.id}`} />
                <span className="flex items-center gap-1.5 px-2"><StateDot state={i.state} /> {i.state}</span>
                <span className="truncate px-2 font-mono text-[11.5px]">{i.id}</span>
                <span className="flex min-w-0 items-center gap-1 truncate px-2">
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
                </span>
                <span className="truncate px-2 text-muted">{TRACKING_LABEL[i.tracking]}</span>
                <span className="truncate px-2">{i.instanceType}</span>
                <span className="truncate px-2">{i.zone}</span>
                <span className="truncate px-2">{uptime(i.launchTime)}</span>
                <span className="truncate px-2 font-mono text-[11.5px]">{i.publicAddress}</span>
                <span className="truncate px-2 font-mono text-[11.5px]">{i.privateIp}</span>
                <span className="truncate px-2">{i.keyPair}</span>
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
