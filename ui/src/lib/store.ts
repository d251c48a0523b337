// UI state that is not backend data: selection, folding, search, tabs, open dialog, activity.
import { create } from "zustand";
import type { ConfirmAction } from "../bindings/ConfirmAction";
import type { SnapshotRequest } from "./cloud";
import type { Scope } from "../bindings/Scope";
import type { UndoOutcome } from "../bindings/UndoOutcome";
import type { Explained } from "./errors";

/** A fixed view, or a terminal or run tab (`session:` and its key, see lib/sessions.ts). */
export type Tab = "overview" | "graph" | "fleet" | "node" | "history" | `session:${string}`;

export type DialogState =
  | { kind: "new-system"; parent?: string | null }
  | { kind: "new-node"; system?: string | null }
  | { kind: "clone"; parent?: string | null }
  | { kind: "rename"; name: string }
  | { kind: "delete"; names: string[] }
  | { kind: "repository"; mode: "open" | "create" }
  /** `focus`: scroll to that section; `signIn`: start the SSO sign-in of that profile at once. */
  | { kind: "settings"; focus?: "credentials" | "sandbox"; signIn?: string }
  | { kind: "launch"; scope: Scope; reinit?: boolean }
  /** `snapshot`: the snapshot a create, revert or remove names. */
  | { kind: "cloud-confirm"; scope: Scope; action: ConfirmAction; snapshot?: SnapshotRequest }
  | { kind: "cloud-wait"; scope: Scope }
  | { kind: "snapshots"; scope: Scope }
  | null;

export interface Activity {
  at: Date;
  text: string;
  tone: "info" | "warn" | "error";
  /** The cloud operation the line belongs to. */
  op?: string;
}

/** What the window says after an undo or redo: what it did (and what still runs), or why it could not. */
export type Notice = { kind: "undo"; verb: "undo" | "redo"; outcome: UndoOutcome } | { kind: "error"; title: string; error: Explained } | null;

export interface GraphFocus {
  mode: "system" | "family";
  /** A system's full name (mode system; "" is the top level) or any node of the family. */
  name: string;
}

interface UiState {
  /** The multi-selection of the tree, in the order it was made. */
  selected: string[];
  /** The item the inspector and the editor show. */
  current: string | null;
  expanded: string[];
  search: string;
  tab: Tab;
  graph: GraphFocus | null;
  dialog: DialogState;
  activity: Activity[];
  /** Bumped to ask the search box to take focus (Ctrl+F). */
  searchFocusTick: number;
  /** Items cut with Ctrl+X, waiting for a paste (Ctrl+V) into a system. */
  cut: string[];
  notice: Notice;
  /** The fleet wall (Fleet tab, Overview) covers every region the account has enabled, not only the nodes'. */
  allRegions: boolean;
  /** The instance the Fleet tab scrolls to and marks (an alert about an untracked instance was clicked). */
  fleetFocus: string | null;

  select: (names: string[], current?: string | null) => void;
  open: (name: string) => void;
  setExpanded: (expanded: string[]) => void;
  expand: (names: string[]) => void;
  setSearch: (search: string) => void;
  setTab: (tab: Tab) => void;
  setGraph: (graph: GraphFocus | null) => void;
  openDialog: (dialog: DialogState) => void;
  closeDialog: () => void;
  log: (text: string, tone?: Activity["tone"], op?: string) => void;
  focusSearch: () => void;
  setCut: (names: string[]) => void;
  setNotice: (notice: Notice) => void;
  setAllRegions: (allRegions: boolean) => void;
  /** Opens the Fleet tab at this instance's row. */
  showInstance: (instanceId: string) => void;
  /** Drops names that no longer exist (after a reload). */
  prune: (exists: (name: string) => boolean) => void;
  reset: () => void;
}

const initial = {
  selected: [] as string[],
  current: null as string | null,
  expanded: [] as string[],
  search: "",
  tab: "overview" as Tab,
  graph: null as GraphFocus | null,
  dialog: null as DialogState,
  activity: [] as Activity[],
  searchFocusTick: 0,
  cut: [] as string[],
  notice: null as Notice,
  allRegions: false,
  fleetFocus: null as string | null,
};

export const useUi = create<UiState>((set) => ({
  ...initial,
  select: (names, current) =>
    set((s) => ({ selected: names, current: current !== undefined ? current : (names[names.length - 1] ?? s.current) })),
  open: (name) => set({ selected: [name], current: name, tab: "node" }),
  setExpanded: (expanded) => set({ expanded }),
  expand: (names) => set((s) => ({ expanded: [...new Set([...s.expanded, ...names])] })),
  setSearch: (search) => set({ search }),
  setTab: (tab) => set({ tab }),
  setGraph: (graph) => set({ graph, tab: "graph" }),
  openDialog: (dialog) => set({ dialog }),
  closeDialog: () => set({ dialog: null }),
  log: (text, tone = "info", op) => set((s) => ({ activity: [...s.activity.slice(-999), { at: new Date(), text, tone, op }] })),
  focusSearch: () => set((s) => ({ searchFocusTick: s.searchFocusTick + 1 })),
  setCut: (cut) => set({ cut }),
  setNotice: (notice) => set({ notice }),
  setAllRegions: (allRegions) => set({ allRegions }),
  showInstance: (instanceId) => set({ tab: "fleet", fleetFocus: instanceId }),
  prune: (exists) =>
    set((s) => {
      const selected = s.selected.filter(exists);
      const current = s.current && exists(s.current) ? s.current : null;
      if (selected.length === s.selected.length && current === s.current) return s;
      return { selected, current };
    }),
  reset: () => set({ ...initial, activity: useUi.getState().activity }),
}));
