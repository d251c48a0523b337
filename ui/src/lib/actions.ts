// The actions the action bar, the context menus, the graph and the keyboard share. Each one
// opens a dialog; the dialogs do the work and say what went wrong.
import { useUi } from "./store";
import type { TreeModel } from "./treeModel";

/** The system new items go into when `name` is the context: itself if a system, else its system. */
export function systemContext(model: TreeModel | null, name: string | null | undefined): string | null {
  if (!name || !model) return null;
  const item = model.byName.get(name);
  if (!item) return null;
  return item.kind === "system" ? item.name : item.system;
}

export const actions = {
  newNode(model: TreeModel | null, at?: string | null) {
    const ui = useUi.getState();
    ui.openDialog({ kind: "new-node", system: systemContext(model, at === undefined ? ui.current : at) });
  },
  newSystem(model: TreeModel | null, at?: string | null) {
    const ui = useUi.getState();
    ui.openDialog({ kind: "new-system", parent: systemContext(model, at === undefined ? ui.current : at) });
  },
  clone(model: TreeModel | null, from?: string | null) {
    const ui = useUi.getState();
    const name = from === undefined ? ui.current : from;
    const item = name ? model?.byName.get(name) : undefined;
    ui.openDialog({ kind: "clone", parent: item?.kind === "node" ? item.name : null });
  },
  rename(name?: string | null) {
    const ui = useUi.getState();
    const target = name === undefined ? ui.current : name;
    if (target) ui.openDialog({ kind: "rename", name: target });
  },
  remove(names?: string[]) {
    const ui = useUi.getState();
    const targets = names ?? (ui.selected.length ? ui.selected : ui.current ? [ui.current] : []);
    if (targets.length) ui.openDialog({ kind: "delete", names: targets });
  },
  open(name: string) {
    useUi.getState().open(name);
  },
  showGraph(model: TreeModel | null, name: string) {
    const item = model?.byName.get(name);
    if (!item) return;
    const ui = useUi.getState();
    ui.select([name], name);
    if (item.kind === "system") ui.setGraph({ mode: "system", name });
    else if (item.cloneOf || model?.clones.get(name)?.length) ui.setGraph({ mode: "family", name });
    else ui.setGraph({ mode: "system", name: item.system ?? "" });
  },
};
