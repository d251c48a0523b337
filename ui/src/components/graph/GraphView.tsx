// One system (its nodes, and its systems as boxes holding theirs) or one clone family (parent ->
// clone links), laid out by elkjs and drawn with React Flow. Click selects; double-click opens;
// right-click or the toolbar clones or adds a node there. Dragging a box onto another system's
// box (or the background: the system shown) moves it there, after the core's check; dragging
// from a node's handle to empty space clones that node.
import { memo, useEffect, useMemo, useRef, useState } from "react";
import { Background, Controls, Handle, Position, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type Node, type NodeChange, type NodeProps } from "@xyflow/react";
import { useQueryClient } from "@tanstack/react-query";
import "@xyflow/react/dist/style.css";
import { ContextMenu } from "radix-ui";
import { Ban, Copy, CornerDownRight, Folder, GitFork, Loader2, Network, Plus, Server, SquarePen, X } from "lucide-react";
import type { TreeItem } from "../../bindings/TreeItem";
import { actions } from "../../lib/actions";
import { useUi, type GraphFocus } from "../../lib/store";
import { baseName, cloneFamily, descendants, type TreeModel } from "../../lib/treeModel";
import { useFleetFeed } from "../../lib/cloud";
import { Button, cx, menuContent, menuItem, menuSeparator, Select } from "../ui";
import { LiveDot } from "../cloud/NodeCloud";
import { layout, type Placed } from "./layout";
import { moveInto, moveSummary, useMoveCheck } from "../../lib/moves";

const MAX_BOXES = 400;

type DropLook = "checking" | "allowed" | "refused";

interface BoxData extends Record<string, unknown> {
  item: TreeItem;
  selected: boolean;
  outsideParent: string | null;
  model: TreeModel;
  /** For a system box that is the target of a drag: what the core said. */
  drop?: DropLook;
}

/** A box in graph coordinates (not relative to its system box). */
export interface AbsoluteBox {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  container: boolean;
  depth: number;
}

/** The innermost system box under `point` that `dragged` may be dropped into (not itself or one inside it); null: the background. */
export function dropTarget(point: { x: number; y: number }, boxes: AbsoluteBox[], dragged: string): string | null {
  let best: AbsoluteBox | null = null;
  for (const b of boxes) {
    if (!b.container || b.id === dragged || b.id.startsWith(`${dragged}/`)) continue;
    if (point.x < b.x || point.x > b.x + b.width || point.y < b.y || point.y > b.y + b.height) continue;
    if (!best || b.depth > best.depth) best = b;
  }
  return best?.id ?? null;
}

/** Boxes in graph coordinates, from positions relative to their system box. */
export function absoluteBoxes(ids: string[], positions: Map<string, Placed>, parents: Map<string, string | null>, containers: Set<string>): AbsoluteBox[] {
  const memo = new Map<string, AbsoluteBox>();
  const get = (id: string, seen = 0): AbsoluteBox | undefined => {
    const known = memo.get(id);
    if (known) return known;
    const pos = positions.get(id);
    if (!pos || seen > 64) return undefined;
    const parent = parents.get(id);
    const base = parent ? get(parent, seen + 1) : undefined;
    const box = { id, x: pos.x + (base?.x ?? 0), y: pos.y + (base?.y ?? 0), width: pos.width, height: pos.height, container: containers.has(id), depth: (base?.depth ?? -1) + 1 };
    memo.set(id, box);
    return box;
  };
  return ids.flatMap((id) => get(id) ?? []);
}

/**
 * A connection dragged from a node's handle ended: on empty space (no node there), the clone
 * dialog opens with that node as the parent to inherit from. Node to node does nothing.
 */
export function connectEnd(model: TreeModel, from: string | null | undefined, toNode: boolean, overNode: boolean): boolean {
  if (!from || toNode || overNode) return false;
  if (model.byName.get(from)?.kind !== "node") return false;
  actions.clone(model, from);
  return true;
}

/** What the graph shows when nothing was picked explicitly: follows the selection. */
export function defaultFocus(model: TreeModel, current: string | null): GraphFocus {
  const item = current ? model.byName.get(current) : undefined;
  if (!item) return { mode: "system", name: "" };
  if (item.kind === "system") return { mode: "system", name: item.name };
  if (item.cloneOf || model.clones.get(item.name)?.length) return { mode: "family", name: item.name };
  return { mode: "system", name: item.system ?? "" };
}

export interface GraphContent {
  /** Every box, each system before what it holds. */
  ids: string[];
  edges: { from: string; to: string }[];
  title: string;
  /** The system box each box is drawn in (null: the graph). */
  parents: Map<string, string | null>;
  /** The ids drawn as system boxes. */
  containers: Set<string>;
}

export function graphContent(model: TreeModel, focus: GraphFocus, limit = Infinity): GraphContent {
  let ids: string[];
  let title: string;
  const parents = new Map<string, string | null>();
  const containers = new Set<string>();
  if (focus.mode === "family") {
    const fam = cloneFamily(model, focus.name);
    ids = fam.members;
    title = `Clone family of ${fam.root}`;
  } else {
    // Breadth first, so what is cut at the limit is the deepest.
    ids = [];
    const queue = [...(model.children.get(focus.name || "\u0000root") ?? [])];
    for (const id of queue) parents.set(id, null);
    while (queue.length && ids.length < limit) {
      const id = queue.shift()!;
      ids.push(id);
      if (model.byName.get(id)?.kind === "system") {
        containers.add(id);
        for (const c of model.children.get(id) ?? []) {
          parents.set(c, id);
          queue.push(c);
        }
      }
    }
    title = focus.name ? `System ${focus.name}` : "Top level";
  }
  const set = new Set(ids);
  const edges = ids.flatMap((id) => {
    const p = model.byName.get(id)?.cloneOf;
    return p && set.has(p) ? [{ from: p, to: id }] : [];
  });
  return { ids, edges, title, parents, containers };
}

/** How many boxes a focus has in all (the graph draws at most MAX_BOXES). */
function countBoxes(model: TreeModel, focus: GraphFocus): number {
  if (focus.mode === "family") return cloneFamily(model, focus.name).members.length;
  if (!focus.name) return model.view.items.length;
  return descendants(model, focus.name).length;
}

/** Memoized on the model: it follows the current item and the graph's focus from the store itself. */
export const GraphView = memo(function GraphView({ model }: { model: TreeModel }) {
  return (
    <ReactFlowProvider>
      <Graph model={model} />
    </ReactFlowProvider>
  );
});

interface GraphDrag {
  id: string;
  /** The system it would go into ("" = the top level); null: where it is now (nothing to do). */
  target: string | null;
}

function Graph({ model }: { model: TreeModel }) {
  const current = useUi((s) => s.current);
  const chosen = useUi((s) => s.graph);
  const setGraph = useUi((s) => s.setGraph);
  const client = useQueryClient();
  const flow = useReactFlow();
  // The boxes' dots read their nodes' live states from the cache; the graph keeps it fetched.
  useFleetFeed();
  const picked = chosen && (chosen.name === "" || model.byName.has(chosen.name)) ? chosen : defaultFocus(model, current);
  // The same focus is the same object, so the content below is worked out again only when it changes.
  const focus = useMemo<GraphFocus>(() => ({ mode: picked.mode, name: picked.name }), [picked.mode, picked.name]);
  const content = useMemo(() => graphContent(model, focus, MAX_BOXES), [model, focus]);
  const total = useMemo(() => countBoxes(model, focus), [model, focus]);
  const ids = content.ids;
  const idsKey = ids.join("\n") + "|" + content.edges.map((e) => `${e.from}>${e.to}`).join(",");
  const [positions, setPositions] = useState<Map<string, Placed> | null>(null);
  const canMove = focus.mode === "system";
  /** What the positions are the layout of: the effect below runs again when the tab comes back (App keeps the graph in a hidden Activity), and must not lay out the same boxes again. */
  const laidOut = useRef<string | null>(null);

  useEffect(() => {
    if (laidOut.current === idsKey) return;
    let cancelled = false;
    const set = new Set(ids);
    const done = (p: Map<string, Placed>) => {
      if (cancelled) return;
      laidOut.current = idsKey;
      setPositions(p);
    };
    layout({ ids, edges: content.edges.filter((e) => set.has(e.from) && set.has(e.to)), parents: content.parents, containers: content.containers })
      .then(done)
      .catch(() => done(new Map()));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [idsKey]);

  // Dragging: where the box is drawn while it moves, and the system under the pointer.
  const [override, setOverride] = useState<{ id: string; position: { x: number; y: number } } | null>(null);
  const [drag, setDrag] = useState<GraphDrag | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const dragNames = useMemo(() => (drag ? [drag.id] : []), [drag?.id]); // eslint-disable-line react-hooks/exhaustive-deps
  const hover = useMoveCheck(dragNames, drag?.target ?? null);
  const look: DropLook | undefined = drag?.target != null ? (hover.check ? (hover.check.problems.length ? "refused" : "allowed") : "checking") : undefined;

  const boxes = useMemo(() => (positions ? absoluteBoxes(ids, positions, content.parents, content.containers) : []), [positions, ids, content]);
  const boxesRef = useRef(boxes);
  boxesRef.current = boxes;

  const targetAt = (event: MouseEvent | TouchEvent, id: string): string | null => {
    const p = "touches" in event ? (event.touches[0] ?? event.changedTouches[0]) : event;
    if (!p) return null;
    const point = flow.screenToFlowPosition({ x: p.clientX, y: p.clientY });
    const into = dropTarget(point, boxesRef.current, id) ?? focus.name;
    const now = model.byName.get(id)?.system ?? "";
    return into === now ? null : into;
  };

  // The boxes as laid out; then only the boxes that are selected, dragged or a drop target get
  // new objects, so a click re-renders those boxes, not the graph's hundreds.
  const placed: Node<BoxData>[] = useMemo(() => {
    if (!positions) return [];
    const set = new Set(ids);
    return ids.flatMap((id): Node<BoxData>[] => {
      const item = model.byName.get(id);
      const pos = positions.get(id);
      if (!item || !pos) return [];
      const parent = content.parents.get(id);
      const container = content.containers.has(id);
      return [
        {
          id,
          type: container ? "system" : "box",
          position: { x: pos.x, y: pos.y },
          ...(parent && set.has(parent) ? { parentId: parent } : {}),
          ...(container ? { width: pos.width, height: pos.height } : {}),
          data: {
            item,
            selected: false,
            outsideParent: item.cloneOf && !set.has(item.cloneOf) ? item.cloneOf : null,
            model,
            drop: undefined,
          },
          draggable: canMove,
          connectable: item.kind === "node",
        },
      ];
    });
  }, [positions, ids, model, content, canMove]);
  const dropTargetId = drag?.target;
  const nodes: Node<BoxData>[] = useMemo(
    () =>
      placed.map((n) => {
        const selected = n.id === current;
        const drop = dropTargetId === n.id ? look : undefined;
        const moved = override?.id === n.id;
        if (!selected && !drop && !moved) return n;
        return { ...n, ...(moved ? { position: override.position } : {}), data: { ...n.data, selected, drop } };
      }),
    [placed, current, dropTargetId, look, override],
  );

  const onNodesChange = (changes: NodeChange<Node<BoxData>>[]) => {
    for (const c of changes) if (c.type === "position" && c.position && c.dragging) setOverride({ id: c.id, position: c.position });
  };

  const edges: Edge[] = useMemo(
    () =>
      content.edges.map((e) => ({
        id: `${e.from}->${e.to}`,
        source: e.from,
        target: e.to,
        type: "smoothstep",
        animated: false,
        style: { strokeWidth: 1.5 },
      })),
    [content.edges],
  );

  const currentItem = current ? model.byName.get(current) : undefined;
  const systemForNew = focus.mode === "system" ? focus.name : (model.byName.get(focus.name)?.system ?? "");
  const familyAvailable = currentItem?.kind === "node";

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="graph">
      <div className="flex shrink-0 flex-wrap items-center gap-2 border-b border-line bg-panel px-3 py-1.5">
        <div className="flex rounded-md border border-line-strong p-0.5" role="group" aria-label="Graph of">
          <button
            className={cx("flex h-6 items-center gap-1 rounded px-2 text-[12px]", focus.mode === "system" ? "bg-accent-soft text-accent" : "hover:bg-hover")}
            onClick={() => setGraph({ mode: "system", name: currentItem ? (currentItem.kind === "system" ? currentItem.name : (currentItem.system ?? "")) : focus.mode === "system" ? focus.name : systemForNew })}
            data-testid="graph-mode-system"
          >
            <Folder size={13} /> System
          </button>
          <button
            className={cx("flex h-6 items-center gap-1 rounded px-2 text-[12px] disabled:opacity-40", focus.mode === "family" ? "bg-accent-soft text-accent" : "hover:bg-hover")}
            disabled={!familyAvailable && focus.mode !== "family"}
            onClick={() => currentItem && setGraph({ mode: "family", name: currentItem.name })}
            title={familyAvailable ? undefined : "Select a node to see its clone family"}
            data-testid="graph-mode-family"
          >
            <GitFork size={13} /> Clone family
          </button>
        </div>
        {focus.mode === "system" ? (
          <Select value={focus.name} onChange={(e) => setGraph({ mode: "system", name: e.target.value })} className="h-7 w-auto max-w-[260px] text-[12px]" aria-label="System" data-testid="graph-system">
            <option value="">(top level)</option>
            {model.systems.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        ) : (
          <span className="truncate text-[12px] font-medium" data-testid="graph-title">
            {content.title}
          </span>
        )}
        <span className="text-[12px] text-muted">
          {total} box{total === 1 ? "" : "es"}
          {total > ids.length && ` (showing ${ids.length})`}
        </span>
        <div className="ml-auto flex gap-1.5">
          <Button size="sm" icon={<Plus size={13} />} onClick={() => actions.newNode(model, systemForNew || null)} data-testid="graph-add-node">
            Add node{systemForNew ? ` to ${baseName(systemForNew)}` : ""}
          </Button>
          <Button size="sm" icon={<Copy size={13} />} disabled={currentItem?.kind !== "node"} onClick={() => actions.clone(model, current)} data-testid="graph-clone">
            Clone {currentItem?.kind === "node" ? currentItem.label : "selected"}
          </Button>
        </div>
      </div>
      <div className="relative min-h-0 flex-1">
        {ids.length === 0 ? (
          <div className="flex h-full flex-col items-center justify-center gap-2 text-muted" data-testid="graph-empty">
            <Network size={28} className="text-faint" />
            <p>{focus.mode === "system" ? "This system is empty." : "Nothing to show."}</p>
            <Button size="sm" variant="primary" icon={<Plus size={13} />} onClick={() => actions.newNode(model, systemForNew || null)}>
              Add a node here
            </Button>
          </div>
        ) : (
          <ReactFlow
            key={idsKey}
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            fitView
            fitViewOptions={{ padding: 0.15, maxZoom: 1.1 }}
            minZoom={0.1}
            nodesDraggable={canMove}
            nodesConnectable
            isValidConnection={() => false}
            elementsSelectable={false}
            proOptions={{ hideAttribution: true }}
            onNodesChange={onNodesChange}
            onNodeClick={(_e, n) => {
              // Keep showing this system: selecting a box inside a system box must not refocus the graph.
              if (!chosen) setGraph(focus);
              useUi.getState().select([n.id], n.id);
            }}
            onNodeDoubleClick={(_e, n) => {
              const item = model.byName.get(n.id);
              if (item?.kind === "system") setGraph({ mode: "system", name: item.name });
              else actions.open(n.id);
            }}
            onNodeDragStart={(_e, n) => {
              if (!chosen) setGraph(focus);
              setProblem(null);
              setDrag({ id: n.id, target: null });
            }}
            onNodeDrag={(e, n) => {
              const target = targetAt(e, n.id);
              setDrag((d) => (d && d.id === n.id && d.target === target ? d : { id: n.id, target }));
            }}
            onNodeDragStop={(e, n) => {
              const target = targetAt(e, n.id);
              setDrag(null);
              // Snaps back: where it lands is the layout's business once the core has moved it.
              setOverride(null);
              if (target === null) return;
              void moveInto(client, [n.id], target).then((r) => setProblem(r.kind === "refused" ? r.message : null));
            }}
            onConnectEnd={(e, state) => {
              const over = e.target instanceof Element && !!e.target.closest(".react-flow__node");
              connectEnd(model, state.fromNode?.id, !!state.toNode, over);
            }}
            onPaneClick={() => undefined}
          >
            <Background gap={18} size={1} color="var(--line)" />
            <Controls showInteractive={false} position="bottom-right" />
          </ReactFlow>
        )}
        {drag?.target != null && (
          <GraphHint
            look={look ?? "checking"}
            text={hover.check ? moveSummary(hover.check) : "Checking…"}
            where={drag.target === focus.name && !content.containers.has(drag.target) ? `${drag.target || "the top level"} (the background)` : drag.target || "the top level"}
          />
        )}
        {problem && !drag && (
          <div role="alert" className="absolute top-2 left-2 z-10 flex max-w-[70%] items-start gap-1.5 rounded-md border border-danger/50 bg-danger-soft px-2 py-1 text-[12px] text-danger" data-testid="graph-move-problem">
            <Ban size={13} className="mt-px shrink-0" /> <span className="min-w-0 break-words">{problem}</span>
            <button aria-label="Dismiss" className="rounded p-0.5 hover:bg-hover" onClick={() => setProblem(null)}>
              <X size={12} />
            </button>
          </div>
        )}
      </div>
    </div>
  );
}

function GraphHint({ look, text, where }: { look: DropLook; text: string; where: string }) {
  return (
    <div
      data-testid="graph-drop-hint"
      data-look={look}
      className={cx(
        "pointer-events-none absolute top-2 left-2 z-10 flex max-w-[70%] items-start gap-1.5 rounded-md border px-2 py-1 text-[12px] shadow-sm",
        look === "refused" ? "border-danger/50 bg-danger-soft text-danger" : look === "allowed" ? "border-accent/50 bg-panel text-accent" : "border-line bg-panel text-muted",
      )}
    >
      {look === "refused" ? <Ban size={13} className="mt-px shrink-0" /> : look === "allowed" ? <CornerDownRight size={13} className="mt-px shrink-0" /> : <Loader2 size={13} className="mt-px shrink-0 animate-spin" />}
      <span className="min-w-0 break-words">
        <span className="text-muted">Into {where}: </span>
        {text}
      </span>
    </div>
  );
}

const SystemBox = memo(function SystemBox({ data }: NodeProps<Node<BoxData>>) {
  const { item, selected, model, drop } = data;
  return (
    <ContextMenu.Root>
      <ContextMenu.Trigger asChild>
        <div
          data-testid={`graph-system-${item.name}`}
          data-drop={drop}
          onContextMenu={() => useUi.getState().select([item.name], item.name)}
          className={cx(
            "h-full w-full cursor-grab rounded-lg border border-dashed bg-panel-2/60 text-[12px] transition-colors",
            selected ? "border-accent ring-2 ring-accent/35" : "border-line-strong",
            drop === "allowed" && "border-solid border-accent bg-accent-soft/50 ring-2 ring-accent/40",
            drop === "refused" && "cursor-not-allowed border-solid border-danger bg-danger-soft/60 ring-2 ring-danger/40",
            drop === "checking" && "border-solid border-accent/60",
          )}
        >
          <span className="flex h-[30px] min-w-0 items-center gap-1.5 px-2.5 text-[13px] font-medium">
            <Folder size={13} className="shrink-0 text-muted" />
            <span className="truncate">{item.label}</span>
            <span className="ml-auto shrink-0 text-[11px] font-normal text-faint">{item.childCount} inside</span>
          </span>
        </div>
      </ContextMenu.Trigger>
      <ContextMenu.Portal>
        <ContextMenu.Content className={menuContent}>
          <ContextMenu.Item className={menuItem} onSelect={() => actions.newNode(model, item.name)} data-testid="graph-menu-new-node">
            <Plus size={14} /> New node in this system…
          </ContextMenu.Item>
          <ContextMenu.Separator className={menuSeparator} />
          <ContextMenu.Item className={menuItem} onSelect={() => actions.open(item.name)}>
            <SquarePen size={14} /> Open
          </ContextMenu.Item>
          <ContextMenu.Item className={menuItem} onSelect={() => useUi.getState().setGraph({ mode: "system", name: item.name })}>
            <Network size={14} /> Show this system
          </ContextMenu.Item>
        </ContextMenu.Content>
      </ContextMenu.Portal>
    </ContextMenu.Root>
  );
});

const BoxNode = memo(function BoxNode({ data }: NodeProps<Node<BoxData>>) {
  const { item, selected, outsideParent, model } = data;
  const isSystem = item.kind === "system";
  return (
    <ContextMenu.Root>
      <ContextMenu.Trigger asChild>
        <div
          data-testid={`graph-node-${item.name}`}
          onContextMenu={() => useUi.getState().select([item.name], item.name)}
          className={cx(
            "flex h-[58px] w-[184px] cursor-pointer flex-col justify-center gap-0.5 rounded-lg border bg-panel px-2.5 text-[12px] shadow-sm transition-colors",
            selected ? "border-accent ring-2 ring-accent/35" : "border-line-strong hover:border-accent/60",
            isSystem && "border-dashed bg-panel-2",
          )}
        >
          <Handle type="target" position={Position.Top} className="!h-1.5 !w-1.5 !border-0 !bg-line-strong" isConnectable={false} />
          <span className="flex min-w-0 items-center gap-1.5 text-[13px] font-medium">
            {isSystem ? <Folder size={13} className="shrink-0 text-muted" /> : <LiveDot item={item} />}
            <span className="truncate">{item.label}</span>
            {!isSystem && <Server size={12} className="ml-auto shrink-0 text-faint" />}
          </span>
          <span className="truncate text-muted">
            {isSystem ? `${item.childCount} inside` : (item.region ?? "no region")}
            {outsideParent && <span className="text-faint"> · {"<="} {baseName(outsideParent)}</span>}
          </span>
          <Handle
            type="source"
            position={Position.Bottom}
            className={cx("!border-0 !bg-line-strong", isSystem ? "!h-1.5 !w-1.5" : "!h-2.5 !w-2.5 hover:!bg-accent")}
            isConnectable={!isSystem}
            title={isSystem ? undefined : "Drag to empty space to clone this node"}
            data-testid={isSystem ? undefined : `graph-handle-${item.name}`}
          />
        </div>
      </ContextMenu.Trigger>
      <ContextMenu.Portal>
        <ContextMenu.Content className={menuContent}>
          {!isSystem && (
            <ContextMenu.Item className={menuItem} onSelect={() => actions.clone(model, item.name)} data-testid="graph-menu-clone">
              <Copy size={14} /> Clone from this node…
            </ContextMenu.Item>
          )}
          <ContextMenu.Item className={menuItem} onSelect={() => actions.newNode(model, item.name)} data-testid="graph-menu-new-node">
            <Plus size={14} /> New node {isSystem ? "in this system" : "beside it"}…
          </ContextMenu.Item>
          <ContextMenu.Separator className={menuSeparator} />
          <ContextMenu.Item className={menuItem} onSelect={() => actions.open(item.name)}>
            <SquarePen size={14} /> Open
          </ContextMenu.Item>
          {!isSystem && (
            <ContextMenu.Item className={menuItem} onSelect={() => useUi.getState().setGraph({ mode: "family", name: item.name })}>
              <GitFork size={14} /> Show its clone family
            </ContextMenu.Item>
          )}
          {isSystem && (
            <ContextMenu.Item className={menuItem} onSelect={() => useUi.getState().setGraph({ mode: "system", name: item.name })}>
              <Network size={14} /> Show this system
            </ContextMenu.Item>
          )}
        </ContextMenu.Content>
      </ContextMenu.Portal>
    </ContextMenu.Root>
  );
});

const nodeTypes = { box: BoxNode, system: SystemBox };
