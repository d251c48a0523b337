// After launch: connect to a node (a terminal tab, or the user's own terminal program), run a
// command or copy files on a selection. The actions the inspector, the editor, the tree's menu
// and the Overview share; who, where and how to connect is the core's to decide.
import type { HostKeyOutcome } from "../bindings/HostKeyOutcome";
import type { TerminalEnd } from "../bindings/TerminalEnd";
import { backend } from "./backend";
import { scopeFor, scopeLabel } from "./cloud";
import { explain } from "./errors";
import { useSessions } from "./sessions";
import { useUi } from "./store";
import { descendants, type TreeModel } from "./treeModel";

/** The nodes of a selection, as the tree has them: nodes themselves, and every node below a system. */
export function selectionNodes(model: TreeModel | null, names: string[]): string[] {
  if (!model) return [];
  const out = new Set<string>();
  for (const name of names) {
    const item = model.byName.get(name);
    if (!item) continue;
    if (item.kind === "node") out.add(item.name);
    else for (const d of descendants(model, item.name)) if (d.kind === "node") out.add(d.name);
  }
  return [...out];
}

function title(model: TreeModel, names: string[]): string {
  const scope = scopeFor(model, names);
  return scope ? scopeLabel(scope) : names.join(", ");
}

export const remoteActions = {
  connect(node: string) {
    useSessions.getState().openTerminal(node);
  },
  /** The node's ssh in the user's own terminal program; a failure shows as the window's notice. */
  async openInMyTerminal(node: string) {
    const ui = useUi.getState();
    try {
      const program = await backend.openInTerminal(node);
      ui.log(`Opened ${node} in ${program}`);
    } catch (error) {
      ui.setNotice({ kind: "error", title: `Could not open ${node} in your terminal`, error: explain(error) });
    }
  },
  runCommand(model: TreeModel | null, names: string[]) {
    const nodes = selectionNodes(model, names);
    if (model && nodes.length) useSessions.getState().openRun("command", nodes, title(model, names));
  },
  copyFiles(model: TreeModel | null, names: string[]) {
    const nodes = selectionNodes(model, names);
    if (model && nodes.length) useSessions.getState().openRun("copy", nodes, title(model, names));
  },
};

/** How the host key was trusted, in words for the terminal's header; nothing when it was simply known. */
export function hostKeyWords(outcome: HostKeyOutcome): string | null {
  switch (outcome) {
    case "known":
      return null;
    case "verifiedByConsole":
      return "Host key verified against the instance's console output";
    case "acceptedByUser":
      return "Host key accepted by you";
    case "replaced":
      return "Host key replaced";
    case "acceptedNew":
      return "Host key saved on first use";
  }
}

/** The dim line a terminal shows when its session ends. */
export function endWords(end: TerminalEnd): string {
  switch (end.kind) {
    case "exited":
      return `[session ended: exit status ${end.status}]`;
    case "dropped":
      return "[connection lost]";
    case "closed":
      return "[session closed]";
  }
}
