// Box layout with elkjs: clone families as layered trees (parent above its clones), the other
// boxes packed around them in model order; a system is a box sized around its nodes and systems
// (positions are relative to the system box they are in, as React Flow's parentId wants). ELK runs in a Web Worker: its generated code assigns
// to built-in prototypes, which the window freezes (Tauri's freezePrototype), and it keeps the
// window responsive on big systems.
import ELK from "elkjs/lib/elk-api.js";
import elkWorkerUrl from "elkjs/lib/elk-worker.min.js?url";

export const BOX = { width: 184, height: 58 };

/** Room a system's box keeps around its children: its title on top. */
export const PAD = { top: 34, side: 12, bottom: 12 };
const GAP = { x: 20, y: 44 };

let elk: InstanceType<typeof ELK> | null = null;

/** A box's place, relative to the system box it is in (or to the graph), and its size. */
export interface Placed {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LayoutInput {
  ids: string[];
  edges: { from: string; to: string }[];
  /** The system box each id is drawn in (absent or null: the graph itself). */
  parents?: Map<string, string | null>;
  /** The ids drawn as system boxes (containers), sized around their children. */
  containers?: Set<string>;
}

function childrenOf(ids: string[], parents: Map<string, string | null>): Map<string | null, string[]> {
  const out = new Map<string | null, string[]>();
  const known = new Set(ids);
  for (const id of ids) {
    let p = parents.get(id) ?? null;
    if (p !== null && !known.has(p)) p = null;
    let list = out.get(p);
    if (!list) out.set(p, (list = []));
    list.push(id);
  }
  return out;
}

/** Rows of boxes, containers sized around theirs, for where no worker can run (tests) or ELK fails. */
export function grid({ ids, parents = new Map(), containers = new Set() }: LayoutInput): Map<string, Placed> {
  const out = new Map<string, Placed>();
  const kids = childrenOf(ids, parents);
  const known = new Set(ids);
  const place = (level: string[]): { width: number; height: number } => {
    const sizes = level.map((id) => {
      const inner = kids.get(id);
      if (containers.has(id) && inner?.length) {
        const size = place(inner);
        return { width: Math.max(BOX.width, size.width + 2 * PAD.side), height: size.height + PAD.top + PAD.bottom };
      }
      return { ...BOX };
    });
    const perRow = Math.max(1, Math.ceil(Math.sqrt(level.length * 1.8)));
    let x = 0;
    let y = 0;
    let rowHeight = 0;
    let width = 0;
    level.forEach((id, i) => {
      if (i > 0 && i % perRow === 0) {
        x = 0;
        y += rowHeight + GAP.y;
        rowHeight = 0;
      }
      const size = sizes[i];
      const parent = parents.get(id);
      const top = parent && known.has(parent) ? PAD.top : 0;
      const left = top ? PAD.side : 0;
      out.set(id, { x: x + left, y: y + top, ...size });
      x += size.width + GAP.x;
      width = Math.max(width, x - GAP.x);
      rowHeight = Math.max(rowHeight, size.height);
    });
    return { width, height: y + rowHeight };
  };
  place(kids.get(null) ?? []);
  return out;
}

export async function layout(input: LayoutInput): Promise<Map<string, Placed>> {
  if (typeof Worker === "undefined") return grid(input);
  const { ids, edges, parents = new Map(), containers = new Set() } = input;
  const kids = childrenOf(ids, parents);
  type ElkNode = { id: string; width?: number; height?: number; children?: ElkNode[]; layoutOptions?: Record<string, string> };
  const build = (id: string): ElkNode => {
    const inner = kids.get(id);
    if (containers.has(id) && inner?.length) {
      return {
        id,
        layoutOptions: { "elk.padding": `[top=${PAD.top},left=${PAD.side},bottom=${PAD.bottom},right=${PAD.side}]`, "elk.nodeSize.constraints": "MINIMUM_SIZE", "elk.nodeSize.minimum": `(${BOX.width},${BOX.height})` },
        children: inner.map(build),
      };
    }
    return { id, ...BOX };
  };
  elk ??= new ELK({ workerUrl: elkWorkerUrl });
  try {
    const result = await elk.layout({
      id: "root",
      layoutOptions: {
        "elk.algorithm": "layered",
        "elk.direction": "DOWN",
        "elk.hierarchyHandling": "INCLUDE_CHILDREN",
        "elk.aspectRatio": "1.8",
        "elk.separateConnectedComponents": "true",
        "elk.layered.considerModelOrder.components": "MODEL_ORDER",
        "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
        "elk.layered.compaction.connectedComponents": "true",
        "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
        "elk.layered.spacing.nodeNodeBetweenLayers": String(GAP.y),
        "elk.spacing.nodeNode": String(GAP.x),
        "elk.spacing.componentComponent": "28",
      },
      children: (kids.get(null) ?? []).map(build),
      edges: edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
    });
    const out = new Map<string, Placed>();
    const walk = (nodes: { id: string; x?: number; y?: number; width?: number; height?: number; children?: unknown[] }[] | undefined) => {
      for (const c of nodes ?? []) {
        out.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? BOX.width, height: c.height ?? BOX.height });
        walk(c.children as typeof nodes);
      }
    };
    walk(result.children as Parameters<typeof walk>[0]);
    return out;
  } catch {
    return grid(input);
  }
}
