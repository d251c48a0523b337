// Box layout with elkjs: clone families as layered trees (parent above its clones), the other
// boxes packed around them in model order. ELK runs in a Web Worker: its generated code assigns
// to built-in prototypes, which the window freezes (Tauri's freezePrototype), and it keeps the
// window responsive on big systems.
import ELK from "elkjs/lib/elk-api.js";
import elkWorkerUrl from "elkjs/lib/elk-worker.min.js?url";

export const BOX = { width: 184, height: 58 };

let elk: InstanceType<typeof ELK> | null = null;

/** Rows of boxes, for where no worker can run (tests). */
function grid(ids: string[]): Map<string, { x: number; y: number }> {
  const perRow = Math.max(1, Math.ceil(Math.sqrt(ids.length * 1.8)));
  return new Map(ids.map((id, i) => [id, { x: (i % perRow) * (BOX.width + 20), y: Math.floor(i / perRow) * (BOX.height + 44) }]));
}

export interface LayoutInput {
  ids: string[];
  edges: { from: string; to: string }[];
}

export async function layout({ ids, edges }: LayoutInput): Promise<Map<string, { x: number; y: number }>> {
  if (typeof Worker === "undefined") return grid(ids);
  elk ??= new ELK({ workerUrl: elkWorkerUrl });
  const result = await elk.layout({
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.aspectRatio": "1.8",
      "elk.separateConnectedComponents": "true",
      "elk.layered.considerModelOrder.components": "MODEL_ORDER",
      "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
      "elk.layered.compaction.connectedComponents": "true",
      "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
      "elk.layered.spacing.nodeNodeBetweenLayers": "44",
      "elk.spacing.nodeNode": "20",
      "elk.spacing.componentComponent": "28",
    },
    children: ids.map((id) => ({ id, ...BOX })),
    edges: edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  });
  const out = new Map<string, { x: number; y: number }>();
  for (const c of result.children ?? []) out.set(c.id, { x: c.x ?? 0, y: c.y ?? 0 });
  return out;
}
