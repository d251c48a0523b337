// The cloud side of the window: scopes from the selection, the live fleet (TanStack Query,
// updated by the backend's events as diffs: no polling here, the backend drives the refresh),
// running operations, and engine events turned into log lines like poni's INFO output.
import { useEffect } from "react";
import { useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { resetForNewAccount } from "./account";
import { backend, events } from "./backend";
import { explain } from "./errors";
import { useCachedSelect } from "./cachedQuery";
import { accountKeys, cloudKeys, keys } from "./queryKeys";
import { useUi } from "./store";
import { descendants, type TreeModel } from "./treeModel";
import type { CloudAction } from "../bindings/CloudAction";
import type { ConfirmAction } from "../bindings/ConfirmAction";
import type { FleetChange } from "../bindings/FleetChange";
import type { FleetOverview } from "../bindings/FleetOverview";
import type { NodeLive } from "../bindings/NodeLive";
import type { OperationStatus } from "../bindings/OperationStatus";
import type { Scope } from "../bindings/Scope";
import type { TreeItem } from "../bindings/TreeItem";
import type { TreeView } from "../bindings/TreeView";
import { isTransitional, nodeState } from "../components/ui/StateDot";


export type FleetMap = Map<string, NodeLive>;

// ---------- scopes ----------

/** The scope an action on these names works on: a node, a system, or the nodes of a mixed selection. */
export function scopeFor(model: TreeModel | null, names: string[]): Scope | null {
  if (!model) return null;
  const items = names.map((n) => model.byName.get(n)).filter((i): i is TreeItem => !!i);
  if (items.length === 0) return null;
  if (items.length === 1) {
    const only = items[0];
    if (only.kind === "system") return descendants(model, only.name).some((d) => d.kind === "node") ? { kind: "system", name: only.name } : null;
    return { kind: "node", name: only.name };
  }
  const nodes = new Set<string>();
  for (const i of items) {
    if (i.kind === "node") nodes.add(i.name);
    else for (const d of descendants(model, i.name)) if (d.kind === "node") nodes.add(d.name);
  }
  if (nodes.size === 0) return null;
  if (nodes.size === 1) return { kind: "node", name: [...nodes][0] };
  return { kind: "nodes", names: [...nodes] };
}

/** The scope of the action bar: the selection, else the item shown, else every node. */
export function currentScope(model: TreeModel | null): Scope | null {
  if (!model || model.view.nodeCount === 0) return null;
  const ui = useUi.getState();
  const names = ui.selected.length ? ui.selected : ui.current ? [ui.current] : [];
  return names.length ? scopeFor(model, names) : { kind: "all" };
}

export function scopeLabel(scope: Scope): string {
  switch (scope.kind) {
    case "node":
      return scope.name;
    case "nodes":
      return `${scope.names.length} nodes`;
    case "system":
      return `system ${scope.name}`;
    case "all":
      return "all nodes";
  }
}

// ---------- live state ----------

async function fetchFleet(): Promise<FleetMap> {
  const list = await backend.fleetNodes();
  return new Map(list.map((n) => [n.node, n]));
}

/** Every node's live state; kept current by `fleet-changed` diffs. */
export function useFleet() {
  return useQuery({ queryKey: cloudKeys.fleetNodes, queryFn: fetchFleet, staleTime: Infinity });
}

/** One node's live state; re-renders only when that node changed. */
export function useNodeLive(name: string | null | undefined) {
  return useQuery({ queryKey: cloudKeys.fleetNodes, queryFn: fetchFleet, staleTime: Infinity, select: (m: FleetMap) => (name ? (m.get(name) ?? null) : null) }).data ?? null;
}

/**
 * The fleet overview, committed with the tree: when a read of the tree is in flight (nodes were
 * added, removed or renamed), the overview waits for it, so the Overview never names a node
 * the tree does not show yet. (The backend's fleet follows an edit at once and its overview is
 * a cheap in-memory answer, while the tree is read from disk: fetched on their own, a new node
 * showed in the overview before the tree.)
 */
export async function fetchOverviewWithTree(client: QueryClient): Promise<FleetOverview> {
  const overview = await backend.fleetOverview();
  // A read cancelled by a newer one is followed by that one: wait for the last.
  for (let i = 0; i < 5; i++) {
    const tree = client.getQueryCache().find({ queryKey: keys.tree, exact: true });
    const pending = tree?.state.fetchStatus === "fetching" ? tree.promise : undefined;
    if (!pending) break;
    await pending.catch(() => undefined);
  }
  return overview;
}

export function useFleetOverview() {
  const client = useQueryClient();
  return useQuery({ queryKey: cloudKeys.fleetOverview, queryFn: () => fetchOverviewWithTree(client), staleTime: Infinity });
}

export function useOperations() {
  return useQuery({ queryKey: cloudKeys.operations, queryFn: backend.listOperations, staleTime: Infinity });
}

/** The state a badge shows: the live instance state when known, else what the files say. */
export function liveState(item: Pick<TreeItem, "instance" | "problem">, live: NodeLive | null | undefined): string {
  if (item.problem) return "broken";
  if (live?.missing) return "missing";
  if (live?.state) return live.state;
  if (live && live.problems.length > 0 && !item.instance) return "invalid";
  return nodeState(item);
}

export function useLiveState(item: Pick<TreeItem, "name" | "instance" | "problem">): string {
  return liveState(item, useNodeLive(item.name));
}

/** Whether the backend's automatic refresh is polling the nodes in transition now. */
export function useRefreshing(): boolean {
  const client = useQueryClient();
  return useQuery({ queryKey: cloudKeys.fleetOverview, queryFn: () => fetchOverviewWithTree(client), staleTime: Infinity, select: selectRefreshing }).data ?? false;
}
const selectRefreshing = (o: FleetOverview) => o.refreshing;

const treeNames = new WeakMap<TreeView, Set<string>>();

/** Whether a fleet diff names nodes the cached tree does not have, or drops ones it has: the tree is behind. */
export function treeIsBehind(client: QueryClient, change: FleetChange): boolean {
  const tree = client.getQueryData<TreeView>(keys.tree);
  if (!tree) return false;
  let names = treeNames.get(tree);
  if (!names) {
    names = new Set(tree.items.filter((i) => i.kind === "node").map((i) => i.name));
    treeNames.set(tree, names);
  }
  const known = names;
  return change.nodes.some((n) => !known.has(n.node)) || change.removed.some((r) => known.has(r));
}

/**
 * Whether a node's state is changing under watch: transitional, and an operation (a launch,
 * a wait) or the automatic refresh is following it. A pending state nothing follows (the
 * refresh stopped on a credentials error) is shown, but not animated.
 */
export function isMoving(state: string, live: NodeLive | null | undefined, refreshing: boolean): boolean {
  return !!live && isTransitional(state) && (live.operationId !== null || refreshing);
}

/** A node's live state and whether it is moving, for the dots and badges that show it. */
export function useLiveLook(item: Pick<TreeItem, "name" | "instance" | "problem">): { live: NodeLive | null; state: string; moving: boolean } {
  const live = useNodeLive(item.name);
  const refreshing = useRefreshing();
  const state = liveState(item, live);
  return { live, state, moving: isMoving(state, live, refreshing) };
}

/**
 * Keeps the fleet map and the fleet overview fetched and current (observed, so invalidations
 * refetch them) without re-rendering the caller when they change: for the views whose rows read
 * their own node's part with useRowLiveLook (the tree, the Overview's list, the graph).
 */
export function useFleetFeed() {
  const client = useQueryClient();
  useQuery({ queryKey: cloudKeys.fleetNodes, queryFn: fetchFleet, staleTime: Infinity, notifyOnChangeProps: [] });
  useQuery({ queryKey: cloudKeys.fleetOverview, queryFn: () => fetchOverviewWithTree(client), staleTime: Infinity, notifyOnChangeProps: [] });
}

/** One node's cached live state, without a query observer of its own (see lib/cachedQuery.ts); never fetches. */
function useCachedNodeLive(name: string): NodeLive | null {
  return useCachedSelect<FleetMap, NodeLive | null>(cloudKeys.fleetNodes, (m) => m?.get(name) ?? null);
}

const selectCachedRefreshing = (o: FleetOverview | undefined) => o?.refreshing ?? false;

/**
 * useLiveLook for a row among thousands: the same answer from the cache, where a change of one
 * node's state re-renders only that node's row. Someone must keep the fleet observed (useFleetFeed).
 */
export function useRowLiveLook(item: Pick<TreeItem, "name" | "instance" | "problem">): { live: NodeLive | null; state: string; moving: boolean } {
  const live = useCachedNodeLive(item.name);
  const refreshing = useCachedSelect<FleetOverview, boolean>(cloudKeys.fleetOverview, selectCachedRefreshing);
  const state = liveState(item, live);
  return { live, state, moving: isMoving(state, live, refreshing) };
}

/** Applies a fleet diff to the cached map without refetching the fleet. */
export function applyFleetChange(client: QueryClient, change: FleetChange) {
  if (change.nodes.length === 0 && change.removed.length === 0) return;
  client.setQueryData<FleetMap>(cloudKeys.fleetNodes, (old) => {
    if (!old) return old;
    const next = new Map(old);
    for (const n of change.nodes) next.set(n.node, n);
    for (const r of change.removed) next.delete(r);
    return next;
  });
}

function upsertOperation(client: QueryClient, status: OperationStatus) {
  client.setQueryData<OperationStatus[]>(cloudKeys.operations, (old) => {
    const list = old ? [...old] : [];
    const i = list.findIndex((o) => o.id === status.id);
    if (i >= 0) list[i] = status;
    else list.push(status);
    return list;
  });
}

// ---------- results in words ----------

/** How an operation ended, in one line. */
export function describeResult(op: OperationStatus): string {
  if (op.state === "running") return op.phase;
  if (op.error) return explain(op.error).message;
  const parts = [`${op.succeeded} ok`];
  if (op.failed) parts.push(`${op.failed} failed`);
  if (op.state === "cancelled") parts.push("cancelled");
  return parts.join(", ");
}

/**
 * Listens to the backend's cloud events: the fleet cache takes the diffs, operations their
 * progress, the activity log a line per engine event, and the repository views are refreshed
 * when the engine wrote properties (instance id, addresses). An account change refetches
 * everything (no list or fleet of the old account stays); the sandbox's state is kept current.
 */
export function useCloudEvents() {
  const client = useQueryClient();
  useEffect(() => {
    const stops: (() => void)[] = [];
    let cancelled = false;
    const keep = (p: Promise<() => void> | undefined) =>
      p
        ?.then((unlisten) => (cancelled ? unlisten() : stops.push(unlisten)))
        .catch(() => {
          /* outside Tauri: nothing to listen to */
        });
    let overviewTimer: ReturnType<typeof setTimeout> | null = null;
    const refreshOverview = () => {
      // Many diffs in a burst: one overview fetch.
      if (overviewTimer) return;
      overviewTimer = setTimeout(() => {
        overviewTimer = null;
        void client.invalidateQueries({ queryKey: cloudKeys.fleetOverview });
      }, 150);
    };
    const ev = events as Partial<typeof events>;
    keep(
      ev.onFleetChanged?.((change) => {
        applyFleetChange(client, change);
        // Nodes the tree does not know yet (an edit, the command line): read the tree now, so
        // the overview fetched below waits for it and both show the change together. A read
        // already under way (the repository's own change event) is reused, not restarted.
        if (treeIsBehind(client, change)) void client.invalidateQueries({ queryKey: keys.tree }, { cancelRefetch: false });
        refreshOverview();
      }),
    );
    keep(
      ev.onCloudEvent?.(({ operationId, event, line }) => {
        // The core words the event (poni_app::cloud::event_line).
        useUi.getState().log(line.text, line.tone, operationId);
        if (event.kind === "propertiesUpdated") {
          void client.invalidateQueries({ queryKey: keys.tree });
          void client.invalidateQueries({ queryKey: keys.item(event.node) });
        }
      }),
    );
    keep(ev.onOperationProgress?.((status) => upsertOperation(client, status)));
    keep(ev.onSandboxChanged?.((status) => client.setQueryData(accountKeys.sandbox, status)));
    keep(ev.onAccountChanged?.(() => resetForNewAccount(client)));
    keep(
      ev.onOperationFinished?.((status) => {
        upsertOperation(client, status);
        if (status.error) useUi.getState().log(`${status.label}: ${explain(status.error).message}`, "error", status.id);
        void client.invalidateQueries({ queryKey: keys.tree });
        refreshOverview();
      }),
    );
    return () => {
      cancelled = true;
      if (overviewTimer) clearTimeout(overviewTimer);
      stops.forEach((s) => s());
    };
  }, [client]);
}

// ---------- actions ----------

/** The snapshot a create, revert or remove names (the core checks the name). */
export interface SnapshotRequest {
  name: string;
  /** Create: the snapshots' description. */
  description?: string;
}

/** The confirmations that act on a named snapshot. */
export const snapshotActions: readonly ConfirmAction[] = ["createSnapshot", "revertToSnapshot", "removeSnapshot"];

/** Starts an operation (no confirmation): the activity strip shows it. */
export async function startOperation(
  client: QueryClient,
  action: CloudAction,
  scope: Scope,
  extra: { reinit?: boolean; state?: string; snapshot?: string; description?: string } = {},
): Promise<OperationStatus | null> {
  const ui = useUi.getState();
  try {
    const status = await backend.cloudStart({ action, scope, ...extra });
    upsertOperation(client, status);
    ui.log(`Started: ${status.label}`, "info", status.id);
    return status;
  } catch (e) {
    const x = explain(e);
    ui.log(`${action} ${scopeLabel(scope)}: ${x.message}${x.hint ? ` ${x.hint}` : ""}`, "error");
    throw e;
  }
}

export const cloudActions = {
  launch(scope: Scope | null, reinit = false) {
    if (scope) useUi.getState().openDialog({ kind: "launch", scope, reinit });
  },
  confirm(scope: Scope | null, action: ConfirmAction, snapshot?: SnapshotRequest) {
    if (scope) useUi.getState().openDialog({ kind: "cloud-confirm", scope, action, ...(snapshot ? { snapshot } : {}) });
  },
  /** The snapshots of the scope's instances, with create, revert and remove. */
  snapshots(scope: Scope | null) {
    if (scope) useUi.getState().openDialog({ kind: "snapshots", scope });
  },
  wait(scope: Scope | null) {
    if (scope) useUi.getState().openDialog({ kind: "cloud-wait", scope });
  },
  refresh(client: QueryClient, scope: Scope | null) {
    if (scope) void startOperation(client, "refresh", scope).catch(() => undefined);
  },
};
