// Overview: real counts from the tree and the fleet, each said once, with click-through to the
// nodes behind each number; what needs someone (the fleet wall's alerts) and what the fleet
// costs a month; an empty repository teaches how to start.
import { memo, useDeferredValue, useMemo, useState, type ReactNode } from "react";
import { ArrowRight, Copy, FileWarning, Folder, FolderPlus, Plus, Server, Terminal, TriangleAlert } from "lucide-react";
import type { FleetOverview } from "../bindings/FleetOverview";
import type { NodeLive } from "../bindings/NodeLive";
import type { TreeItem } from "../bindings/TreeItem";
import { actions } from "../lib/actions";
import { useUi } from "../lib/store";
import type { TreeModel } from "../lib/treeModel";
import { Button, cx, IconButton, SectionTitle } from "./ui";
import { FleetSection, type FleetFacet } from "./cloud/FleetSection";
import { FleetAlerts, FleetCosts } from "./cloud/FleetHealth";
import { StateDot } from "./ui/StateDot";
import { useCachedSelect } from "../lib/cachedQuery";
import { useFleetFeed, useFleetOverview, useRowLiveLook, type FleetMap } from "../lib/cloud";
import { cloudKeys } from "../lib/queryKeys";
import { DRIFT_LABEL, useDrift } from "../lib/drift";
import { remoteActions } from "../lib/remote";

type Facet = FleetFacet | { kind: "all" } | { kind: "broken" } | { kind: "clones" };

const LIST_LIMIT = 300;

/** How many list rows the Overview paints at once; the rest (up to LIST_LIMIT) follow in a deferred render. */
const FIRST_ROWS = 40;

/**
 * One panel per fact: the fleet panel says everything about instances (by state, terminated as
 * terminated; by region; nodes without one; missing ones; errors), the cards say what the tree
 * holds (nodes, systems, clones), and the list shows the nodes behind whichever count was clicked.
 * Memoized on the model, so a click in the tree re-renders none of it; it reads the fleet map
 * only while a state's count filters the list, and each row reads its own node's live state.
 */
export const Overview = memo(function Overview({ model }: { model: TreeModel }) {
  const [facet, setFacet] = useState<Facet>({ kind: "all" });
  // Keeps the fleet fetched for the rows' dots, without re-rendering the Overview for each change.
  useFleetFeed();
  const fleet = useCachedSelect<FleetMap, FleetMap | undefined>(cloudKeys.fleetNodes, (m) => (facet.kind === "state" ? m : undefined));
  const overview = useFleetOverview().data;
  const stats = useMemo(() => {
    const nodes = model.view.items.filter((i) => i.kind === "node");
    const clones = nodes.filter((n) => n.cloneOf).length;
    const broken = model.view.items.filter((i) => i.problem);
    return { nodes, clones, broken };
  }, [model]);
  const list = useMemo(() => filterNodes(model, stats.nodes, facet, fleet, overview), [model, stats, facet, fleet, overview]);
  // The first screenful paints at once (switching to the tab stays quick); the rest renders after it.
  const limit = useDeferredValue(LIST_LIMIT, FIRST_ROWS);

  if (model.view.items.length === 0) return <EmptyRepository model={model} />;

  const isFacet = (f: Facet) => JSON.stringify(f) === JSON.stringify(facet);

  return (
    <div className="min-h-0 flex-1 overflow-y-auto" data-testid="overview">
      <div className="mx-auto flex max-w-[980px] flex-col gap-4 p-4">
        <FleetSection facet={facet} onFacet={(f) => setFacet(isFacet(f) ? { kind: "all" } : f)} />
        <FleetAlerts />
        <FleetCosts />
        <p className="flex items-center gap-2 text-[12.5px] text-muted">
          Instances already running in the account, launched by hand or by other tools, can become nodes here.
          <Button icon={<ArrowRight size={14} />} onClick={() => useUi.getState().setTab("fleet")} data-testid="overview-import">
            See the account's instances and import them
          </Button>
        </p>
        <div className="grid grid-cols-3 gap-3">
          <Stat icon={<Server size={16} />} label="Nodes" value={model.view.nodeCount} active={isFacet({ kind: "all" })} onClick={() => setFacet({ kind: "all" })} testId="stat-nodes" />
          <Stat icon={<Folder size={16} />} label="Systems" value={model.view.systemCount} testId="stat-systems" />
          <Stat icon={<Copy size={16} />} label="Clones" value={stats.clones} active={isFacet({ kind: "clones" })} onClick={() => setFacet({ kind: "clones" })} testId="stat-clones" />
        </div>

        <DriftSection model={model} />

        {stats.broken.length > 0 && (
          <section className="rounded-lg border border-danger/40 bg-danger-soft p-3.5" data-testid="overview-broken">
            <SectionTitle>
              <span className="flex items-center gap-1.5 text-danger">
                <FileWarning size={13} /> {stats.broken.length} file{stats.broken.length === 1 ? "" : "s"} cannot be read
              </span>
            </SectionTitle>
            <ul className="flex flex-col gap-1 text-[12px]">
              {stats.broken.slice(0, 20).map((b) => (
                <li key={b.name} className="flex gap-2">
                  <button className="shrink-0 font-medium text-accent hover:underline" onClick={() => useUi.getState().select([b.name], b.name)}>
                    {b.name}
                  </button>
                  <span className="min-w-0 break-words text-muted" data-selectable>
                    {b.problem}
                  </span>
                </li>
              ))}
            </ul>
            <p className="mt-2 text-[12px] text-muted">Fix these files in a text editor; the app picks up the change by itself.</p>
          </section>
        )}

        <section className="flex min-h-[220px] min-w-0 flex-col rounded-lg border border-line bg-panel p-3.5" data-testid="overview-list">
          <SectionTitle right={<span className="text-[12px] text-muted">{list.length} node{list.length === 1 ? "" : "s"}</span>}>{facetTitle(facet)}</SectionTitle>
          {list.length === 0 ? (
            <p className="text-[12px] text-muted">No nodes here.</p>
          ) : (
            <ul className="flex flex-col">
              {list.slice(0, limit).map((n) => (
                <NodeRow key={n.name} item={n} />
              ))}
              {list.length > LIST_LIMIT && <li className="px-2 py-1 text-[12px] text-muted">…and {list.length - LIST_LIMIT} more. Use the search (Ctrl+F) to find one.</li>}
            </ul>
          )}
        </section>
      </div>
    </div>
  );
});

/** One node of the list; re-renders only when its node's live state changes. */
const NodeRow = memo(function NodeRow({ item: n }: { item: TreeItem }) {
  const { live, state, moving } = useRowLiveLook(n);
  return (
    <li className="group/row flex items-center gap-1">
      <button
        className="group flex min-w-0 flex-1 items-center gap-2 rounded px-2 py-1 text-left text-[13px] hover:bg-hover"
        onClick={() => useUi.getState().select([n.name], n.name)}
        onDoubleClick={() => actions.open(n.name)}
        data-testid={`overview-node-${n.name}`}
      >
        <StateDot state={state} moving={moving} />
        <span className="min-w-0 shrink-0 truncate">{n.name}</span>
        {n.cloneOf && (
          <span className="min-w-0 truncate text-[12px] text-faint" title={`Cloned from ${n.cloneOf}`}>
            {"<="} {n.system && n.cloneOf.startsWith(`${n.system}/`) ? n.cloneOf.slice(n.system.length + 1) : n.cloneOf}
          </span>
        )}
        <span className="ml-auto shrink-0 text-[12px] text-muted">{n.region ?? ""}</span>
        <ArrowRight size={13} className="shrink-0 text-faint opacity-0 group-hover:opacity-100" onClick={(e) => (e.stopPropagation(), actions.open(n.name))} />
      </button>
      {canConnect(n, live) && (
        <IconButton
          size="sm"
          label={`Connect to ${n.name}`}
          icon={<Terminal size={13} />}
          className="opacity-0 group-hover/row:opacity-100 focus-visible:opacity-100"
          onClick={() => remoteActions.connect(n.name)}
          data-testid={`overview-connect-${n.name}`}
        />
      )}
    </li>
  );
});

/** A node worth a Connect button in the list: its instance runs (or, not seen yet, it has one). */
function canConnect(n: TreeItem, live: NodeLive | null): boolean {
  return live?.state ? live.state === "running" : !!n.instance;
}

const DRIFT_LIMIT = 20;

/**
 * The nodes that disagree with their instance, as the Fleet tab or a node's panel last found
 * (read from the cache: the Overview asks the cloud nothing). A node opens in the inspector,
 * which shows the difference and takes the instance's values.
 */
function DriftSection({ model }: { model: TreeModel }) {
  const drift = useDrift();
  const nodes = useMemo(() => [...drift].filter(([name, list]) => list.length > 0 && model.byName.has(name)).sort(([a], [b]) => a.localeCompare(b)), [drift, model]);
  if (nodes.length === 0) return null;
  return (
    <section className="rounded-lg border border-warn/40 bg-panel p-3.5" data-testid="overview-drift">
      <SectionTitle right={<span className="text-[12px] text-muted">as last checked</span>}>
        <span className="flex items-center gap-1.5 text-warn">
          <TriangleAlert size={13} /> {nodes.length} node{nodes.length === 1 ? "" : "s"} differ{nodes.length === 1 ? "s" : ""} from {nodes.length === 1 ? "its instance" : "their instances"}
        </span>
      </SectionTitle>
      <ul className="flex flex-col text-[12px]">
        {nodes.slice(0, DRIFT_LIMIT).map(([name, list]) => (
          <li key={name}>
            <button
              className="group flex w-full items-center gap-2 rounded px-2 py-1 text-left hover:bg-hover"
              onClick={() => useUi.getState().select([name], name)}
              onDoubleClick={() => actions.open(name)}
              data-testid={`overview-drift-${name}`}
            >
              <span className="shrink-0 font-medium text-accent">{name}</span>
              <span className="min-w-0 truncate text-muted">
                {list.length} field{list.length === 1 ? "" : "s"}: {list.map((d) => DRIFT_LABEL[d.field]).join(", ")}
              </span>
              <ArrowRight size={13} className="ml-auto shrink-0 text-faint opacity-0 group-hover:opacity-100" onClick={(e) => (e.stopPropagation(), actions.open(name))} />
            </button>
          </li>
        ))}
        {nodes.length > DRIFT_LIMIT && <li className="px-2 py-1 text-muted">…and {nodes.length - DRIFT_LIMIT} more (the Fleet tab lists them all).</li>}
      </ul>
    </section>
  );
}

/** The nodes behind a count. A state is the instance's state as the fleet counts it (not yet seen, or gone: unknown). */
function filterNodes(model: TreeModel, nodes: TreeItem[], facet: Facet, fleet: FleetMap | undefined, overview: FleetOverview | undefined): TreeItem[] {
  switch (facet.kind) {
    case "state":
      return nodes.filter((n) => {
        const live = fleet?.get(n.name);
        if (!(live?.instanceId ?? n.instance)) return false;
        return (live?.state ?? "unknown") === facet.state;
      });
    case "all":
      return nodes;
    case "region":
      return nodes.filter((n) => n.region === facet.region);
    case "no-instance": {
      if (!overview) return nodes.filter((n) => !n.instance);
      const names = new Set(overview.noInstance);
      return nodes.filter((n) => names.has(n.name));
    }
    case "broken":
      return model.view.items.filter((i) => i.problem);
    case "clones":
      return nodes.filter((n) => n.cloneOf);
  }
}

function facetTitle(f: Facet) {
  switch (f.kind) {
    case "state":
      return `Nodes whose instance is ${f.state}`;
    case "all":
      return "All nodes";
    case "region":
      return f.region ? `Nodes in ${f.region}` : "Nodes without a region";
    case "no-instance":
      return "Nodes without an instance";
    case "broken":
      return "Unreadable files";
    case "clones":
      return "Cloned nodes";
  }
}

function Stat({ icon, label, value, sub, active, onClick, testId }: { icon: ReactNode; label: string; value: number; sub?: string; active?: boolean; onClick?: () => void; testId: string }) {
  const Tag = onClick ? "button" : "div";
  return (
    <Tag
      onClick={onClick}
      data-testid={testId}
      className={cx("flex flex-col gap-1 rounded-lg border bg-panel p-3 text-left", active ? "border-accent ring-1 ring-accent/40" : "border-line", onClick && "hover:border-line-strong")}
    >
      <span className="flex items-center gap-1.5 text-[12px] text-muted">
        {icon} {label}
      </span>
      <span className="text-[22px] leading-none font-semibold tabular-nums" data-testid={`${testId}-value`}>
        {value.toLocaleString()}
      </span>
      {sub && <span className="text-[12px] text-muted">{sub}</span>}
    </Tag>
  );
}

function EmptyRepository({ model }: { model: TreeModel }) {
  return (
    <div className="min-h-0 flex-1 overflow-y-auto" data-testid="empty-repository">
      <div className="mx-auto flex max-w-[560px] flex-col gap-4 px-6 py-10">
        <div>
          <h2 className="text-[18px] font-semibold">This repository is empty</h2>
          <p className="mt-1 text-muted">
            A repository holds your machines as <b>nodes</b>, grouped in <b>systems</b> (folders). Everything is saved as plain files in{" "}
            <span className="font-mono text-[12px]" data-selectable>
              {model.view.root}
            </span>
            , which the poni command line reads too.
          </p>
        </div>
        <ol className="flex flex-col gap-3">
          <Step n={1} title="Add your first node">
            Click <b>New node</b> (or press Ctrl+N) and give it a name like <span className="font-mono">web1</span>. Optionally make a system first, like{" "}
            <span className="font-mono">webshop</span>, to group nodes.
          </Step>
          <Step n={2} title="Set its cloud properties">
            Open the node and fill in the Cloud section: region, image (AMI), key pair and login user.
          </Step>
          <Step n={3} title="Clone it">
            Press Ctrl+D on the node to make more like it: <span className="font-mono">web{"{id}"}</span> with 2..4 makes web2, web3 and web4.
          </Step>
        </ol>
        <div className="flex flex-wrap gap-2">
          <Button variant="primary" icon={<Plus size={14} />} onClick={() => actions.newNode(model, null)} data-testid="empty-new-node">
            New node
          </Button>
          <Button icon={<FolderPlus size={14} />} onClick={() => actions.newSystem(model, null)} data-testid="empty-new-system">
            New system
          </Button>
        </div>
        <p className="rounded-md border border-line bg-panel px-3 py-2 text-[12px] text-muted">
          Practising without an AWS account? Start the <b>practice sandbox</b> in <b>Settings</b> (the gear at the top right): launches then go to a local imitation of EC2
          on this computer instead of to Amazon.
        </p>
      </div>
    </div>
  );
}

function Step({ n, title, children }: { n: number; title: string; children: ReactNode }) {
  return (
    <li className="flex gap-3">
      <span className="flex h-6 w-6 shrink-0 items-center justify-center rounded-full bg-accent-soft text-[12px] font-semibold text-accent">{n}</span>
      <div>
        <p className="font-medium">{title}</p>
        <p className="text-muted">{children}</p>
      </div>
    </li>
  );
}
