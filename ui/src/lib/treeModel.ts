// The tree as the UI navigates it: lookups by name, children per system, clone families,
// search. Built once per loaded TreeView (O(n)), so 10,000 nodes stay cheap.
import type { TreeItem } from "../bindings/TreeItem";
import type { TreeView } from "../bindings/TreeView";

export const ROOT_ID = "\u0000root";

export interface TreeModel {
  view: TreeView;
  byName: Map<string, TreeItem>;
  children: Map<string, string[]>;
  /** Node name -> nodes cloned from it. */
  clones: Map<string, string[]>;
  systems: string[];
  nodes: string[];
}

export function buildModel(view: TreeView): TreeModel {
  const byName = new Map<string, TreeItem>();
  const children = new Map<string, string[]>();
  const clones = new Map<string, string[]>();
  const systems: string[] = [];
  const nodes: string[] = [];
  children.set(ROOT_ID, []);
  for (const item of view.items) {
    byName.set(item.name, item);
    const parent = item.system ?? ROOT_ID;
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(item.name);
    if (item.kind === "system") {
      systems.push(item.name);
      if (!children.has(item.name)) children.set(item.name, []);
    } else {
      nodes.push(item.name);
      if (item.cloneOf) {
        let c = clones.get(item.cloneOf);
        if (!c) clones.set(item.cloneOf, (c = []));
        c.push(item.name);
      }
    }
  }
  return { view, byName, children, clones, systems, nodes };
}

/** Every system above `name`, outermost first. */
export function ancestors(name: string): string[] {
  const parts = name.split("/");
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join("/"));
  return out;
}

export function systemOf(name: string): string | null {
  const i = name.lastIndexOf("/");
  return i < 0 ? null : name.slice(0, i);
}

export function baseName(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}

/** All items below a system (not the system itself). */
export function descendants(model: TreeModel, name: string): TreeItem[] {
  const out: TreeItem[] = [];
  const stack = [...(model.children.get(name) ?? [])].reverse();
  while (stack.length) {
    const next = stack.pop()!;
    const item = model.byName.get(next);
    if (!item) continue;
    out.push(item);
    if (item.kind === "system") stack.push(...[...(model.children.get(next) ?? [])].reverse());
  }
  return out;
}

/** The first node of a clone family (follows clone links up) and every node cloned below it. */
export function cloneFamily(model: TreeModel, name: string): { root: string; members: string[] } {
  let root = name;
  const seen = new Set<string>([root]);
  for (;;) {
    const parent = model.byName.get(root)?.cloneOf;
    if (!parent || !model.byName.has(parent) || seen.has(parent)) break;
    seen.add(parent);
    root = parent;
  }
  const members: string[] = [];
  const queue = [root];
  const visited = new Set<string>();
  while (queue.length) {
    const next = queue.shift()!;
    if (visited.has(next)) continue;
    visited.add(next);
    members.push(next);
    queue.push(...(model.clones.get(next) ?? []));
  }
  return { root, members };
}

export interface SearchResult {
  /** Items whose name matches. */
  matches: Set<string>;
  /** Matches plus every system above them: what the filtered tree shows. */
  visible: Set<string>;
  /** Systems to unfold so every match shows. */
  unfold: string[];
  /** Matches in display order. */
  ordered: string[];
}

/** The lowercased labels and full names, made once per model: a keystroke only compares strings. */
interface SearchIndex {
  labels: string[];
  names: string[];
}

const searchIndexes = new WeakMap<TreeModel, SearchIndex>();

function searchIndex(model: TreeModel): SearchIndex {
  let index = searchIndexes.get(model);
  if (!index) {
    const items = model.view.items;
    index = { labels: items.map((i) => i.label.toLowerCase()), names: items.map((i) => i.name.toLowerCase()) };
    searchIndexes.set(model, index);
  }
  return index;
}

/** The last search per model (the search box and the tree ask the same one), and the positions it matched. */
const lastSearch = new WeakMap<TreeModel, { q: string; full: boolean; hits: number[]; result: SearchResult }>();

/**
 * Case-insensitive search on the last part of the name, or the full name when the query has a `/`.
 * The same query on the same model answers the same object; a query that extends the last one
 * (typing on) looks only among the last one's matches.
 */
export function search(model: TreeModel, query: string): SearchResult | null {
  const q = query.trim().toLowerCase();
  if (!q) return null;
  const full = q.includes("/");
  const last = lastSearch.get(model);
  if (last && last.q === q) return last.result;
  const hay = full ? searchIndex(model).names : searchIndex(model).labels;
  const items = model.view.items;
  const hits: number[] = [];
  if (last && last.full === full && q.includes(last.q)) {
    for (const i of last.hits) if (hay[i].includes(q)) hits.push(i);
  } else {
    for (let i = 0; i < hay.length; i++) if (hay[i].includes(q)) hits.push(i);
  }
  const matches = new Set<string>();
  const visible = new Set<string>();
  const unfold: string[] = [];
  const ordered: string[] = [];
  for (const i of hits) {
    const item = items[i];
    matches.add(item.name);
    ordered.push(item.name);
    // The item and the systems above it, up to one already shown.
    for (let at: TreeItem | undefined = item; at && !visible.has(at.name); at = at.system ? model.byName.get(at.system) : undefined) {
      visible.add(at.name);
      if (at.kind === "system") unfold.push(at.name);
    }
  }
  const result = { matches, visible, unfold, ordered };
  lastSearch.set(model, { q, full, hits, result });
  return result;
}

/** Splits a label around the first match of the query, for highlighting. */
export function highlight(label: string, query: string): [string, string, string] | null {
  const q = query.trim().toLowerCase();
  if (!q || q.includes("/")) return null;
  const i = label.toLowerCase().indexOf(q);
  if (i < 0) return null;
  return [label.slice(0, i), label.slice(i, i + q.length), label.slice(i + q.length)];
}
