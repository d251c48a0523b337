// The main area's own tabs beside Overview, Graph and the rest: terminals (one shell on a node
// each) and run panels (Run command, Copy files). UI state only: the sessions themselves live in
// the backend; a tab that closes ends its terminal.
import { create } from "zustand";
import type { RunKind } from "../bindings/RunKind";
import { useUi, type Tab } from "./store";

/** Where a terminal's connection is: the tab header shows Reconnect once it ended. */
export type TerminalStatus = "connecting" | "question" | "error" | "open" | "ended";

export type Session =
  /** `attempt`: bumped by Reconnect; the terminal opens a new session when it changes. */
  | { key: string; kind: "terminal"; node: string; status: TerminalStatus; attempt: number }
  /** `nodes`, `title`: what the panel runs on, as the tree's selection gave it. */
  | { key: string; kind: "run"; mode: RunKind; nodes: string[]; title: string };

interface SessionsState {
  sessions: Session[];
  openTerminal: (node: string) => string;
  openRun: (mode: RunKind, nodes: string[], title: string) => string;
  setStatus: (key: string, status: TerminalStatus) => void;
  reconnect: (key: string) => void;
  /** Removes the tab; when it was shown, the one before it (or the Overview) shows. */
  close: (key: string) => void;
}

let next = 0;

export const sessionTab = (key: string): Tab => `session:${key}`;

function show(key: string) {
  useUi.getState().setTab(sessionTab(key));
}

export const useSessions = create<SessionsState>((set, get) => ({
  sessions: [],
  openTerminal: (node) => {
    const key = `t${++next}`;
    set((s) => ({ sessions: [...s.sessions, { key, kind: "terminal", node, status: "connecting", attempt: 0 }] }));
    show(key);
    return key;
  },
  openRun: (mode, nodes, title) => {
    const key = `r${++next}`;
    set((s) => ({ sessions: [...s.sessions, { key, kind: "run", mode, nodes, title }] }));
    show(key);
    return key;
  },
  setStatus: (key, status) =>
    set((s) => ({ sessions: s.sessions.map((x) => (x.key === key && x.kind === "terminal" && x.status !== status ? { ...x, status } : x)) })),
  reconnect: (key) => set((s) => ({ sessions: s.sessions.map((x) => (x.key === key && x.kind === "terminal" ? { ...x, status: "connecting", attempt: x.attempt + 1 } : x)) })),
  close: (key) => {
    const list = get().sessions;
    const at = list.findIndex((x) => x.key === key);
    if (at < 0) return;
    const rest = list.filter((x) => x.key !== key);
    set({ sessions: rest });
    const ui = useUi.getState();
    if (ui.tab === sessionTab(key)) {
      const before = rest[Math.min(at, rest.length) - 1] ?? rest[0];
      ui.setTab(before ? sessionTab(before.key) : "overview");
    }
  },
}));
