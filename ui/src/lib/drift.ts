// Drift: where a node and its instance disagree. Two views ask the cloud for it: the Fleet tab
// (every node, `fleetKeys.drift`) and a node's cloud panel (that node, `fleetKeys.nodeDrift`,
// under the same prefix). Everything else (the tree's marks, the Overview's list) only reads
// what those fetched: no cloud call of its own. `useDrift` merges the cached answers into one
// map by node, the newest answer for a node winning.
import { useCallback, useSyncExternalStore } from "react";
import { useMutation, useQuery, useQueryClient, type Query, type QueryClient } from "@tanstack/react-query";
import type { Drift } from "../bindings/Drift";
import type { DriftField } from "../bindings/DriftField";
import { backend } from "./backend";
import { explain } from "./errors";
import { cloudKeys, fleetKeys, keys } from "./queryKeys";
import { useUi } from "./store";

/** Each field in words. */
export const DRIFT_LABEL: Record<DriftField, string> = {
  instanceType: "Instance type",
  image: "Image",
  keyPair: "Key pair",
  securityGroups: "Security groups",
  subnet: "Subnet",
  nameTag: "Name tag",
  host: "Public address",
  privateIp: "Private IP",
  privateDns: "Private DNS",
};

const ADDRESS_FIELDS: ReadonlySet<DriftField> = new Set<DriftField>(["host", "privateIp", "privateDns"]);

/** Address fields are not written from the instance but refreshed ("Refresh addresses"). */
export function isAddressField(field: DriftField): boolean {
  return ADDRESS_FIELDS.has(field);
}

/** A value as shown: "(nothing)" when the side says nothing. */
export function driftValue(v: string): string {
  return v === "" ? "(nothing)" : v;
}

export type DriftMap = ReadonlyMap<string, readonly Drift[]>;

// ---------- the merged cache, read without fetching ----------

interface Store {
  map: DriftMap;
  signature: string;
  listeners: Set<() => void>;
  unsubscribe: (() => void) | null;
  /** While subscribed: no drift answer changed since `map` was made (a row's read is then O(1)). */
  fresh: boolean;
}

const stores = new WeakMap<QueryClient, Store>();
const EMPTY_MAP: DriftMap = new Map();

function storeOf(client: QueryClient): Store {
  let store = stores.get(client);
  if (!store) {
    store = { map: EMPTY_MAP, signature: "", listeners: new Set(), unsubscribe: null, fresh: false };
    stores.set(client, store);
  }
  return store;
}

const isDriftQuery = (q: Query) => q.queryKey[0] === fleetKeys.drift[0];

function driftQueries(client: QueryClient): Query<Drift[]>[] {
  return client
    .getQueryCache()
    .findAll({ queryKey: fleetKeys.drift })
    .filter((q) => q.state.data !== undefined) as Query<Drift[]>[];
}

/** The cached drift by node; the same Map until a drift answer changes. */
function snapshot(client: QueryClient): DriftMap {
  const store = storeOf(client);
  if (store.fresh && store.unsubscribe) return store.map;
  const queries = driftQueries(client);
  const signature = queries.map((q) => `${q.queryHash}@${q.state.dataUpdatedAt}`).join("|");
  store.fresh = true;
  if (signature === store.signature) return store.map;
  const all = queries.find((q) => q.queryKey.length === 1);
  const map = new Map<string, Drift[]>();
  for (const d of all?.state.data ?? []) {
    const list = map.get(d.node);
    if (list) list.push(d);
    else map.set(d.node, [d]);
  }
  // A node's own check, when newer than the fleet's, is what that node says now.
  for (const q of queries) {
    if (q.queryKey[1] !== "node" || typeof q.queryKey[2] !== "string") continue;
    if (all && all.state.dataUpdatedAt > q.state.dataUpdatedAt) continue;
    const node = q.queryKey[2];
    const list = (q.state.data ?? []).filter((d) => d.node === node);
    if (list.length) map.set(node, list);
    else map.delete(node);
  }
  store.map = map;
  store.signature = signature;
  return map;
}

function subscribe(client: QueryClient, listener: () => void): () => void {
  const store = storeOf(client);
  store.listeners.add(listener);
  if (!store.unsubscribe) {
    store.fresh = false;
    store.unsubscribe = client.getQueryCache().subscribe((event) => {
      if (!isDriftQuery(event.query)) return;
      store.fresh = false;
      for (const l of [...store.listeners]) l();
    });
  }
  return () => {
    store.listeners.delete(listener);
    if (store.listeners.size === 0 && store.unsubscribe) {
      store.unsubscribe();
      store.unsubscribe = null;
    }
  };
}

/**
 * Drift by node, as the Fleet tab or a node's panel last saw it. Never fetches: cheap enough
 * for the tree (one Map lookup per row); the Map changes only when a drift answer does.
 */
export function useDrift(): DriftMap {
  const client = useQueryClient();
  const sub = useCallback((listener: () => void) => subscribe(client, listener), [client]);
  const get = useCallback(() => snapshot(client), [client]);
  return useSyncExternalStore(sub, get, get);
}

/** One node's drift, as last seen: re-renders only when that node's answer changes (a tree row's mark). */
export function useNodeDrift(name: string): readonly Drift[] | undefined {
  const client = useQueryClient();
  const sub = useCallback((listener: () => void) => subscribe(client, listener), [client]);
  const get = () => snapshot(client).get(name);
  return useSyncExternalStore(sub, get, get);
}

/** Asks the cloud for one node's drift (its panel), while `enabled`. */
export function useNodeDriftCheck(node: string, enabled: boolean) {
  return useQuery({ queryKey: fleetKeys.nodeDrift(node), queryFn: () => backend.cloudDrift({ kind: "node", name: node }), enabled, staleTime: 30_000 });
}

/** Drops the taken fields from every cached drift answer, so no view shows them while the check is asked again. */
function forgetTaken(client: QueryClient, node: string, fields: readonly DriftField[]) {
  const taken = new Set(fields);
  for (const q of driftQueries(client)) {
    const data = q.state.data ?? [];
    if (!data.some((d) => d.node === node && taken.has(d.field))) continue;
    client.setQueryData<Drift[]>(q.queryKey, data.filter((d) => !(d.node === node && taken.has(d.field))));
  }
}

/**
 * "Take the instance's values into the node" (launch fields) or refresh its addresses (address
 * fields), then refresh what shows the node: its drift, its detail, the tree and the fleet.
 */
export function useTakeDrift() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ node, fields }: { node: string; fields: DriftField[] }) => backend.cloudTakeDrift(node, fields),
    onSuccess: (changed, { node, fields }) => {
      const what = fields.map((f) => DRIFT_LABEL[f].toLowerCase()).join(", ");
      useUi.getState().log(`${node}: took the instance's ${what} (${changed} propert${changed === 1 ? "y" : "ies"} changed)`);
      forgetTaken(client, node, fields);
      void client.invalidateQueries({ queryKey: fleetKeys.drift });
      void client.invalidateQueries({ queryKey: keys.item(node) });
      void client.invalidateQueries({ queryKey: keys.checkEdits(node) });
      void client.invalidateQueries({ queryKey: keys.tree });
      void client.invalidateQueries({ queryKey: cloudKeys.fleetNodes });
    },
    onError: (error, { node }) => {
      useUi.getState().log(`${node}: could not take the instance's values: ${explain(error).message}`, "error");
    },
  });
}
