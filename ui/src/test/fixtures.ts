// Test data: the seed document's drumbo nodes and a webshop tree, as the backend shapes them.
import type { ItemDetail } from "../bindings/ItemDetail";
import type { TreeItem } from "../bindings/TreeItem";
import type { TreeView } from "../bindings/TreeView";

export function item(name: string, kind: "system" | "node", extra: Partial<TreeItem> = {}): TreeItem {
  const parts = name.split("/");
  return {
    name,
    label: parts[parts.length - 1],
    kind,
    depth: parts.length,
    system: parts.length > 1 ? parts.slice(0, -1).join("/") : null,
    cloneOf: null,
    instance: null,
    region: null,
    childCount: 0,
    problem: null,
    ...extra,
  };
}

export function view(items: TreeItem[]): TreeView {
  const nodeCount = items.filter((i) => i.kind === "node").length;
  return { root: "/tmp/repo", items, nodeCount, systemCount: items.length - nodeCount };
}

export const demoTree = view([
  item("drumbo1", "node", { region: "us-east-1", instance: "i-4c92cd21" }),
  item("drumbo2", "node", { region: "us-east-1", cloneOf: "drumbo1" }),
  item("drumbo3", "node", { region: "us-east-1", cloneOf: "drumbo1" }),
  item("webshop", "system", { childCount: 2 }),
  item("webshop/backend", "system", { childCount: 1, region: "eu-west-1" }),
  item("webshop/backend/db1", "node", { region: "eu-west-1" }),
  item("webshop/frontend", "system", { childCount: 2 }),
  item("webshop/frontend/http01", "node"),
  item("webshop/frontend/http02", "node", { cloneOf: "webshop/frontend/http01" }),
]);

export function bigTree(systems: number, perSystem: number): TreeView {
  const items: TreeItem[] = [];
  for (let s = 0; s < systems; s++) {
    const sys = `sys${String(s).padStart(3, "0")}`;
    items.push(item(sys, "system", { childCount: perSystem }));
    for (let n = 0; n < perSystem; n++) items.push(item(`${sys}/node${String(n).padStart(4, "0")}`, "node"));
  }
  return view(items);
}

export function detail(name: string, props: ItemDetail["props"], extra: Partial<ItemDetail> = {}): ItemDetail {
  return {
    name,
    kind: "node",
    file: `/tmp/repo/system/${name}/node.json`,
    props,
    computed: { index: 0, depth: name.split("/").length },
    inherited: [],
    cloneOf: null,
    clones: [],
    problem: null,
    keyPair: null,
    ...extra,
  };
}
