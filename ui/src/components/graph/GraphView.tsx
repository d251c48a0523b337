// One system (its nodes and systems as boxes) or one clone family (parent -> clone links), laid
// out by elkjs and drawn with React Flow. Click selects; double-click opens; right-click or the
// toolbar clones or adds a node there.
import { memo, useEffect, useMemo, useState } from "react";
import { Background, Controls, Handle, Position, ReactFlow, ReactFlowProvider, type Edge, type Node, type NodeProps } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { ContextMenu } from "radix-ui";
import { Copy, Folder, GitFork, Network, Plus, Server, SquarePen } from "lucide-react";
import type { TreeItem } from "../../bindings/TreeItem";
import { actions } from "../../lib/actions";
import { useUi, type GraphFocus } from "../../lib/store";
import { baseName, cloneFamily, type TreeModel } from "../../lib/treeModel";
import { Button, cx, menuContent, menuItem, menuSeparator, Select } from "../ui";
import { LiveDot } from "../cloud/NodeCloud";
import { layout } from "./layout";

const MAX_BOXES = 400;

interface BoxData extends Record<string, unknown> {
  item: TreeItem;
  selected: boolean;
  outsideParent: string | null;
  model: TreeModel;
}

/** What the graph shows when nothing was picked explicitly: follows the selection. */
export function defaultFocus(model: TreeModel, current: string | null): GraphFocus {
  const item = current ? model.byName.get(current) : undefined;
  if (!item) return { mode: "system", name: "" };
  if (item.kind === "system") return { mode: "system", name: item.name };
  if (item.cloneOf || model.clones.get(item.name)?.length) return { mode: "family", name: item.name };
  return { mode: "system", name: item.system ?? "" };
}

export function graphContent(model: TreeModel, focus: GraphFocus): { ids: string[]; edges: { from: string; to: string }[]; title: string } {
  let ids: string[];
  let title: string;
  if (focus.mode === "family") {
    const fam = cloneFamily(model, focus.name);
    ids = fam.members;
    title = `Clone family of ${fam.root}`;
  } else {
    ids = model.children.get(focus.name || "\u0000root") ?? [];
    title = focus.name ? `System ${focus.name}` : "Top level";
  }
  const set = new Set(ids);
  const edges = ids.flatMap((id) => {
    const p = model.byName.get(id)?.cloneOf;
    return p && set.has(p) ? [{ from: p, to: id }] : [];
  });
  return { ids, edges, title };
}

export function GraphView({ model }: { model: TreeModel }) {
  return (
    <ReactFlowProvider>
      <Graph model={model} />
    </ReactFlowProvider>
  );
}

function Graph({ model }: { model: TreeModel }) {
  const current = useUi((s) => s.current);
  const chosen = useUi((s) => s.graph);
  const setGraph = useUi((s) => s.setGraph);
  const focus = chosen && (chosen.name === "" || model.byName.has(chosen.name)) ? chosen : defaultFocus(model, current);
  const content = useMemo(() => graphContent(model, focus), [model, focus]);
  const ids = content.ids.slice(0, MAX_BOXES);
  const idsKey = ids.join("\n") + "|" + content.edges.map((e) => `${e.from}>${e.to}`).join(",");
  const [positions, setPositions] = useState<Map<string, { x: number; y: number }> | null>(null);

  useEffect(() => {
    let cancelled = false;
    const set = new Set(ids);
    layout({ ids, edges: content.edges.filter((e) => set.has(e.from) && set.has(e.to)) })
      .then((p) => !cancelled && setPositions(p))
      .catch(() => !cancelled && setPositions(new Map()));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [idsKey]);

  const nodes: Node<BoxData>[] = useMemo(() => {
    if (!positions) return [];
    const set = new Set(ids);
    return ids.flatMap((id) => {
      const item = model.byName.get(id);
      const pos = positions.get(id);
      if (!item || !pos) return [];
      return [
        {
          id,
          type: "box",
          position: pos,
          data: { item, selected: id === current, outsideParent: item.cloneOf && !set.has(item.cloneOf) ? item.cloneOf : null, model },
          draggable: false,
          connectable: false,
        },
      ];
    });
  }, [positions, ids, model, current]);

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
          {content.ids.length} box{content.ids.length === 1 ? "" : "es"}
          {content.ids.length > MAX_BOXES && ` (showing ${MAX_BOXES})`}
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
        {content.ids.length === 0 ? (
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
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable={false}
            proOptions={{ hideAttribution: true }}
            onNodeClick={(_e, n) => useUi.getState().select([n.id], n.id)}
            onNodeDoubleClick={(_e, n) => {
              const item = model.byName.get(n.id);
              if (item?.kind === "system") setGraph({ mode: "system", name: item.name });
              else actions.open(n.id);
            }}
            onPaneClick={() => undefined}
          >
            <Background gap={18} size={1} color="var(--line)" />
            <Controls showInteractive={false} position="bottom-right" />
          </ReactFlow>
        )}
      </div>
    </div>
  );
}

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
          <Handle type="source" position={Position.Bottom} className="!h-1.5 !w-1.5 !border-0 !bg-line-strong" isConnectable={false} />
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

const nodeTypes = { box: BoxNode };
