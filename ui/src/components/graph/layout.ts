// Box layout with elkjs: clone families as layered trees (parent above its clones), the other
// boxes packed around them in model order.
import ELK from "elkjs/lib/elk.bundled.js";

export const BOX = { width: 184, height: 58 };

const elk = new ELK();

export interface LayoutInput {
  ids: string[];
  edges: { from: string; to: string }[];
}

export async function layout({ ids, edges }: LayoutInput): Promise<Map<string, { x: number; y: number }>> {
  const result = await elk.layout({
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.aspectRatio": "1.8",
      "elk.separateConnectedComponents": "true",
      "elk.layered.considerModelOrder.components": "MODEL_ORDER",
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
