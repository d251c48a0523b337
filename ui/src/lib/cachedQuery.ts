// Many small views (tree rows, list rows, graph boxes) each read a part of one cached answer,
// such as their node's live state in the fleet map, without a QueryObserver apiece: one
// subscription to the query cache per query fans out to them, and useSyncExternalStore
// re-renders a view only when the part it selects changes. Reading never fetches: the view
// that owns the data keeps the query observed (useFleetFeed in lib/cloud.ts for the fleet).
import { useCallback, useSyncExternalStore } from "react";
import { hashKey, useQueryClient, type QueryClient, type QueryKey } from "@tanstack/react-query";

interface Hub {
  listeners: Set<() => void>;
  stop: (() => void) | null;
}

const hubs = new WeakMap<QueryClient, Map<string, Hub>>();

function subscribe(client: QueryClient, hash: string, listener: () => void): () => void {
  let byHash = hubs.get(client);
  if (!byHash) hubs.set(client, (byHash = new Map()));
  let hub = byHash.get(hash);
  if (!hub) byHash.set(hash, (hub = { listeners: new Set(), stop: null }));
  const h = hub;
  h.listeners.add(listener);
  if (!h.stop) {
    h.stop = client.getQueryCache().subscribe((event) => {
      if (event.query.queryHash !== hash || (event.type !== "updated" && event.type !== "added" && event.type !== "removed")) return;
      for (const l of [...h.listeners]) l();
    });
  }
  return () => {
    h.listeners.delete(listener);
    if (h.listeners.size === 0 && h.stop) {
      h.stop();
      h.stop = null;
    }
  };
}

/**
 * `select` of the cached data of `key` (undefined while there is none), re-rendering the caller
 * only when what `select` returns changes (by identity): select a part that keeps its identity
 * while it does not change (a Map entry, a boolean).
 */
export function useCachedSelect<T, S>(key: QueryKey, select: (data: T | undefined) => S): S {
  const client = useQueryClient();
  const hash = hashKey(key);
  const sub = useCallback((listener: () => void) => subscribe(client, hash, listener), [client, hash]);
  const get = () => select(client.getQueryCache().get(hash)?.state.data as T | undefined);
  return useSyncExternalStore(sub, get, get);
}
