// Backend data through TanStack Query. Keys: ['workspace'], ['tree'], ['item', name],
// ['settings'], ['cloud-reference'], ['plan', request], ['check-edit', name, payload], ['check-move', to, names],
// ['history'], ['vc', ...]. The `repo-changed` event (after every change, undo, pull and resolve) invalidates
// them all, so changes made by the CLI show up without a restart.
import { useEffect, useMemo, useState } from "react";
import { QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { backend, events } from "./backend";
import { buildModel, type TreeModel } from "./treeModel";
import type { NodesRequest } from "../bindings/NodesRequest";
import type { PropertyEdit } from "../bindings/PropertyEdit";
import type { Settings } from "../bindings/Settings";

export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false, staleTime: 30_000 },
      mutations: { retry: false },
    },
  });
}

export const keys = {
  workspace: ["workspace"] as const,
  tree: ["tree"] as const,
  item: (name: string) => ["item", name] as const,
  settings: ["settings"] as const,
  cloudReference: ["cloud-reference"] as const,
  plan: (request: NodesRequest) => ["plan", request] as const,
  /** The core's check of a save on one item. */
  checkEdit: (name: string, payload: { set: PropertyEdit[]; unset: string[] }) => ["check-edit", name, payload] as const,
  /** Every check of saves on one item. */
  checkEdits: (name: string) => ["check-edit", name] as const,
  /** The core's check of a name for a new system, or for renaming `from`. */
  checkName: (name: string, from: string | null) => ["check-name", name, from] as const,
  /** The core's check of moving these items into a system ("" = the top level), cached per target. */
  checkMove: (names: string[], toSystem: string) => ["check-move", toSystem, names] as const,
  /** The undo history (newest first). */
  history: ["history"] as const,
  /** Everything about version control; vcStatus, vcDiff and vcConflicts live under it. */
  vc: ["vc"] as const,
  vcStatus: ["vc", "status"] as const,
  vcDiff: (name: string | null) => ["vc", "diff", name] as const,
  vcConflicts: ["vc", "conflicts"] as const,
};

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

export interface Region {
  code: string;
  name?: string;
}

export interface CloudReference {
  regions: Region[];
  instanceTypes: string[];
  /** Used when `cloud.type` is not set. */
  defaultInstanceType?: string;
  providers: string[];
  /** The properties a key pair may be set under (the core's list; the preferred first). */
  keyPairKeys: string[];
  /** Where a key pair's private key is looked for, `{name}` standing for its name. */
  keyFileTemplate: string | null;
}

/** Normalizes whatever shape the backend's reference has (codes, or objects with code/name). */
export function normalizeReference(raw: unknown): CloudReference {
  const data = (raw ?? {}) as { regions?: unknown[]; instanceTypes?: unknown[]; instance_types?: unknown[]; providers?: unknown[]; defaultInstanceType?: unknown; keyPairKeys?: unknown[]; keyFileTemplate?: unknown };
  const regions: Region[] = (data.regions ?? []).flatMap((r): Region[] => {
    if (typeof r === "string") return [{ code: r }];
    if (r && typeof r === "object") {
      const o = r as Record<string, unknown>;
      const code = o.code ?? o.id ?? o.region;
      const name = o.name ?? o.label ?? o.description;
      if (typeof code === "string") return [{ code, name: typeof name === "string" ? name : undefined }];
    }
    return [];
  });
  const instanceTypes = (data.instanceTypes ?? data.instance_types ?? []).flatMap((t) => {
    if (typeof t === "string") return [t];
    if (t && typeof t === "object" && typeof (t as Record<string, unknown>).name === "string") return [(t as { name: string }).name];
    return [];
  });
  const providers = (data.providers ?? []).filter((p): p is string => typeof p === "string");
  const defaultInstanceType = typeof data.defaultInstanceType === "string" ? data.defaultInstanceType : undefined;
  const keyPairKeys = (data.keyPairKeys ?? []).filter((k): k is string => typeof k === "string");
  const keyFileTemplate = typeof data.keyFileTemplate === "string" ? data.keyFileTemplate : null;
  return { regions, instanceTypes, providers, defaultInstanceType, keyPairKeys, keyFileTemplate };
}

/** The AWS regions, instance types and providers the backend knows (nothing is hard-coded here). */
export function useCloudReference() {
  return useQuery({
    queryKey: keys.cloudReference,
    staleTime: Infinity,
    queryFn: async (): Promise<CloudReference> => {
      const fn = (backend as unknown as { cloudReference?: () => Promise<unknown> }).cloudReference;
      if (!fn) return { regions: [], instanceTypes: [], providers: [], keyPairKeys: [], keyFileTemplate: null };
      return normalizeReference(await fn());
    },
  });
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
