// Backend data through TanStack Query (the keys are in queryKeys.ts). The `repo-changed` event
// (after every change, undo, pull and resolve) invalidates them all, so changes made by the CLI
// show up without a restart.
import { useEffect, useMemo, useState } from "react";
import { QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { backend, events } from "./backend";
import { keys } from "./queryKeys";
import { buildModel, type TreeModel } from "./treeModel";
import type { Settings } from "../bindings/Settings";


export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false, staleTime: 30_000 },
      mutations: { retry: false },
    },
  });
}

/**
 * Asks for the workspace and, once it names a repository, the tree, before React has even
 * mounted: the first paint of a 10,000-node tree does not wait for the component tree to
 * render its way down to the query. The hooks below then find the answers in the cache.
 */
export function prefetchStart(client: QueryClient) {
  void client
    .fetchQuery({ queryKey: keys.workspace, queryFn: backend.workspaceInfo })
    .then((info) => (info.root ? client.prefetchQuery({ queryKey: keys.tree, queryFn: backend.loadTree }) : undefined))
    .catch(() => undefined); // the hooks ask again and show the error
}

export function useWorkspace() {
  return useQuery({ queryKey: keys.workspace, queryFn: backend.workspaceInfo });
}

export function useTree() {
  const workspace = useWorkspace();
  const query = useQuery({ queryKey: keys.tree, queryFn: backend.loadTree, enabled: !!workspace.data?.root });
  const model = useMemo<TreeModel | null>(() => (query.data ? buildModel(query.data) : null), [query.data]);
  return { ...query, model };
}

export function useItem(name: string | null) {
  return useQuery({ queryKey: keys.item(name ?? ""), queryFn: () => backend.getItem(name!), enabled: !!name });
}

export function useSettings() {
  return useQuery({ queryKey: keys.settings, queryFn: backend.getSettings });
}

/** Changes some settings: shown at once, saved over the file as it is now (something else,
 * the recent list say, may have changed it since it was loaded). */
export function useUpdateSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (change: Partial<Settings>) => backend.saveSettings({ ...(await backend.getSettings()), ...change }),
    onMutate: (change) => {
      const shown = client.getQueryData<Settings>(keys.settings);
      if (shown) client.setQueryData<Settings>(keys.settings, { ...shown, ...change });
    },
    onSettled: () => client.invalidateQueries({ queryKey: keys.settings }),
  });
}

/** The AWS regions, instance types and providers the core knows (nothing is hard-coded here). */
export function useCloudReference() {
  return useQuery({ queryKey: keys.cloudReference, staleTime: Infinity, queryFn: backend.cloudReference });
}

/** Refreshes everything the window shows when the repository changes on disk or by us. */
export function useRepoChangedEvents() {
  const client = useQueryClient();
  useEffect(() => {
    let stop: (() => void) | undefined;
    let cancelled = false;
    events
      .onRepoChanged(() => {
        void client.invalidateQueries();
      })
      .then((unlisten) => {
        if (cancelled) unlisten();
        else stop = unlisten;
      })
      .catch(() => {
        /* outside Tauri (tests, a plain browser): nothing to listen to */
      });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [client]);
}

/** Debounces a changing value. */
export function useDebounced<T>(value: T, ms: number): T {
  const [state, setState] = useState<T>(value);
  useEffect(() => {
    const t = setTimeout(() => setState(value), ms);
    return () => clearTimeout(t);
  }, [value, ms, setState]);
  return state;
}
