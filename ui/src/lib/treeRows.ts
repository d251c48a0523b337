// The tree as the virtualized list shows it: the rows that are visible (under unfolded systems,
// and with a search only the matches and the systems above them), flattened in display order.
// Built in O(visible rows) from the model's children lists; RepoTree memoizes it on the model,
// the unfolded systems and the search, so a click that changes neither builds nothing.
import { ROOT_ID, type SearchResult, type TreeModel } from "./treeModel";

export interface TreeRows {
  /** Item names, in display order. */
  ids: string[];
  /** Each row's depth (0: the top level). */
  levels: number[];
  /** Each row's place among its shown siblings (1-based) and how many they are: aria-posinset, aria-setsize. */
  posInSet: number[];
  setSize: number[];
  /** The row of each name. */
  index: Map<string, number>;
}

const NONE: string[] = [];

/** The visible rows with the systems in `open` unfolded; with a search, only what it shows. */
export function flattenTree(model: TreeModel, open: ReadonlySet<string>, filter: SearchResult | null): TreeRows {
  const ids: string[] = [];
  const levels: number[] = [];
  const posInSet: number[] = [];
  const setSize: number[] = [];
  const index = new Map<string, number>();
  const childrenOf = (name: string): string[] => {
    const all = model.children.get(name) ?? NONE;
    return filter ? all.filter((n) => filter.visible.has(n)) : all;
  };
  // Depth first without recursion: a stack of sibling lists and where each one is.
  const stack: { list: string[]; at: number; level: number }[] = [{ list: childrenOf(ROOT_ID), at: 0, level: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.at >= top.list.length) {
      stack.pop();
      continue;
    }
    const name = top.list[top.at++];
    index.set(name, ids.length);
    ids.push(name);
    levels.push(top.level);
    posInSet.push(top.at);
    setSize.push(top.list.length);
    if (open.has(name) && model.byName.get(name)?.kind === "system") {
      const list = childrenOf(name);
      if (list.length) stack.push({ list, at: 0, level: top.level + 1 });
    }
  }
  return { ids, levels, posInSet, setSize, index };
}

const sets = new WeakMap<readonly string[], ReadonlySet<string>>();

/**
 * The names of a list as a Set, made once per list: the store keeps the selection, the cut and
 * the unfolded systems as arrays (their order means something), and each tree row asks "am I in
 * it?" in O(1) instead of searching the array.
 */
export function setOf(list: readonly string[]): ReadonlySet<string> {
  let set = sets.get(list);
  if (!set) {
    set = new Set(list);
    sets.set(list, set);
  }
  return set;
}

/**
 * The selection after a click on the row `id` (Shift: the rows from the anchor to it, by their
 * places in the flattened list; Ctrl or Cmd: toggle it; both: add the range), and the anchor the
 * next Shift-click extends from.
 */
export function clickSelection(
  rows: Pick<TreeRows, "ids" | "index">,
  selected: readonly string[],
  anchor: string | null,
  id: string,
  mods: { shift: boolean; ctrl: boolean },
): { selected: string[]; anchor: string } {
  if (mods.shift) {
    const from = anchor === null ? undefined : rows.index.get(anchor);
    const to = rows.index.get(id);
    if (from === undefined || to === undefined) return { selected: [id], anchor: id };
    const range = rows.ids.slice(Math.min(from, to), Math.max(from, to) + 1);
    if (!mods.ctrl) return { selected: range, anchor: anchor! };
    const have = setOf(selected);
    return { selected: [...selected, ...range.filter((n) => !have.has(n))], anchor: anchor! };
  }
  if (mods.ctrl) {
    const next = setOf(selected).has(id) ? selected.filter((n) => n !== id) : [...selected, id];
    return { selected: next, anchor: id };
  }
  return { selected: [id], anchor: id };
}
