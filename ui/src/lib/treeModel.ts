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

/** Case-insensitive search on the last part of the name, or the full name when the query has a `/`. */
export function search(model: TreeModel, query: string): SearchResult | null {
  const q = query.trim().toLowerCase();
  if (!q) return null;
  const full = q.includes("/");
  const matches = new Set<string>();
  const visible = new Set<string>();
  const ordered: string[] = [];
  for (const item of model.view.items) {
    const hay = (full ? item.name : item.label).toLowerCase();
    if (hay.includes(q)) {
      matches.add(item.name);
      ordered.push(item.name);
      visible.add(item.name);
      for (const a of ancestors(item.name)) visible.add(a);
    }
  }
  const unfold = [...visible].filter((n) => model.byName.get(n)?.kind === "system");
  return { matches, visible, unfold, ordered };
}

/** Splits a label around the first match of the query, for highlighting. */
export function highlight(label: string, query: string): [string, string, string] | null {
  const q = query.trim().toLowerCase();
  if (!q || q.includes("/")) return null;
  const i = label.toLowerCase().indexOf(q);
  if (i < 0) return null;
  return [label.slice(0, i), label.slice(i, i + q.length), label.slice(i + q.length)];
}
