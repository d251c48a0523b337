// The tree of systems and nodes: the window's spine. headless-tree keeps focus, selection and
// folding; only the visible rows are rendered (@tanstack/react-virtual), so 10,000 nodes stay fast.
import { memo, useCallback, useEffect, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent } from "react";
import { hotkeysCoreFeature, selectionFeature, syncDataLoaderFeature, type ItemInstance, type TreeInstance } from "@headless-tree/core";
import { useTree } from "@headless-tree/react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { ContextMenu } from "radix-ui";
import { useQueryClient } from "@tanstack/react-query";
import { Hourglass, Play, Power, RefreshCw, Rocket, Square, TriangleAlert } from "lucide-react";
import { AlertTriangle, ChevronRight, Copy, Folder, FolderOpen, FolderPlus, GitFork, Network, Pencil, Plus, Server, SquarePen, Trash2 } from "lucide-react";
import type { Drift } from "../../bindings/Drift";
import type { TreeItem } from "../../bindings/TreeItem";
import { actions } from "../../lib/actions";
import { useUi } from "../../lib/store";
import { ROOT_ID, ancestors, baseName, highlight, search as searchTree, type TreeModel } from "../../lib/treeModel";
import { cx, Kbd, menuContent, menuItem, menuSeparator } from "../ui";
import { StateDot } from "../ui/StateDot";
import { cloudActions, scopeFor, scopeLabel, useLiveLook } from "../../lib/cloud";
import { DRIFT_LABEL, useDrift } from "../../lib/drift";

const ROW_HEIGHT = 26;
const EMPTY: string[] = [];

const rootItem: TreeItem = {
  name: ROOT_ID,
  label: "",
  kind: "system",
  depth: 0,
  system: null,
  cloneOf: null,
  instance: null,
  region: null,
  childCount: 0,
  problem: null,
};

function missing(name: string): TreeItem {
  return { ...rootItem, name, label: baseName(name), kind: "node" };
}

type Updater<T> = T | ((old: T) => T);
const apply = <T,>(u: Updater<T>, old: T): T => (typeof u === "function" ? (u as (o: T) => T)(old) : u);

export function RepoTree({ model }: { model: TreeModel }) {
  const query = useUi((s) => s.search);
  const expanded = useUi((s) => s.expanded);
  const selected = useUi((s) => s.selected);
  const current = useUi((s) => s.current);

  const result = useMemo(() => searchTree(model, query), [model, query]);
  const [searchExpanded, setSearchExpanded] = useState<string[] | null>(null);
  useEffect(() => setSearchExpanded(null), [result]);
  const expandedItems = result ? (searchExpanded ?? result.unfold) : expanded;

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizerRef = useRef<ReturnType<typeof useVirtualizer<HTMLDivElement, Element>> | null>(null);
  const [menuTarget, setMenuTarget] = useState<string | null>(null);
  // What the Fleet tab or a node's panel last found (never fetched here): one lookup per row.
  const drift = useDrift();

  const tree = useTree<TreeItem>({
    rootItemId: ROOT_ID,
    getItemName: (item) => item.getItemData().label,
    isItemFolder: (item) => item.getItemData().kind === "system",
    dataLoader: {
      getItem: (id) => (id === ROOT_ID ? rootItem : (model.byName.get(id) ?? missing(id))),
      getChildren: (id) => {
        const children = model.children.get(id) ?? EMPTY;
        return result ? children.filter((n) => result.visible.has(n)) : children;
      },
    },
    state: { expandedItems, selectedItems: selected, focusedItem: current },
    setExpandedItems: (u) => {
      const next = apply(u as Updater<string[]>, expandedItems);
      if (result) setSearchExpanded(next);
      else useUi.getState().setExpanded(next);
    },
    setSelectedItems: (u) => {
      const ui = useUi.getState();
      const next = apply(u as Updater<string[]>, ui.selected);
      ui.select(next, next.includes(ui.current ?? "") ? ui.current : (next[next.length - 1] ?? null));
    },
    setFocusedItem: (u) => {
      const ui = useUi.getState();
      const id = apply(u as Updater<string | null>, ui.current);
      if (!id || id === ROOT_ID) return;
      ui.select(ui.selected.includes(id) ? ui.selected : [id], id);
    },
    onPrimaryAction: (item) => useUi.getState().select(useUi.getState().selected, item.getId()),
    scrollToItem: (item) => virtualizerRef.current?.scrollToIndex(item.getItemMeta().index, { align: "auto" }),
    hotkeys: {
      customOpen: { hotkey: "Enter", preventDefault: true, handler: (_e, t) => openItem(t.getFocusedItem()) },
      customRename: { hotkey: "F2", preventDefault: true, handler: (_e, t) => actions.rename(t.getFocusedItem()?.getId()) },
      customDelete: { hotkey: "Delete", preventDefault: true, handler: () => actions.remove() },
    },
    ignoreHotkeysOnInputs: true,
    features: [syncDataLoaderFeature, selectionFeature, hotkeysCoreFeature],
  });

  // New data or a new search: rebuild the flat list of visible rows.
  useEffect(() => {
    tree.rebuildTree();
  }, [tree, model, result]);

  const items = tree.getItems();
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 280, height: 600 },
  });
  virtualizerRef.current = virtualizer;

  // Something else (overview, graph, search) picked an item: unfold to it and scroll it in view.
  useEffect(() => {
    if (!current || result) return;
    const hidden = ancestors(current).filter((a) => !expanded.includes(a));
    if (hidden.length) {
      useUi.getState().expand(hidden);
      return;
    }
    const index = tree.getItems().findIndex((i) => i.getId() === current);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: "auto" });
  }, [current, expanded, result, tree, virtualizer]);

  const onContextMenu = useCallback((e: ReactMouseEvent) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>("[data-name]");
    const name = row?.dataset.name ?? null;
    setMenuTarget(name);
    if (name) {
      const ui = useUi.getState();
      if (!ui.selected.includes(name)) ui.select([name], name);
      else ui.select(ui.selected, name);
    }
  }, []);

  const containerProps = tree.getContainerProps("Systems and nodes");
  const virtualItems = virtualizer.getVirtualItems();

  return (
    <ContextMenu.Root>
      <ContextMenu.Trigger asChild onContextMenu={onContextMenu}>
        <div ref={scrollRef} className="relative min-h-0 flex-1 overflow-auto outline-none" data-testid="tree">
          {items.length === 0 ? (
            <p className="px-3 py-4 text-[12px] text-muted" data-testid="tree-empty">
              {result ? `No system or node is named like '${query.trim()}'.` : "Nothing here yet. Right-click for New node."}
            </p>
          ) : null}
          <div {...containerProps} style={{ height: virtualizer.getTotalSize(), position: "relative" }} className="outline-none">
            {virtualItems.map((row) => {
              const item = items[row.index];
              if (!item) return null;
              return (
                <Row
                  key={item.getId()}
                  item={item}
                  tree={tree}
                  top={row.start}
                  query={result && result.matches.has(item.getId()) ? query : ""}
                  selected={item.isSelected()}
                  focused={item.isFocused()}
                  expanded={item.isExpanded()}
                  data={item.getItemData()}
                  level={item.getItemMeta().level}
                  drifts={drift.get(item.getId())}
                />
              );
            })}
          </div>
        </div>
      </ContextMenu.Trigger>
      <ContextMenu.Portal>
        <TreeMenu model={model} target={menuTarget} />
      </ContextMenu.Portal>
    </ContextMenu.Root>
  );
}

function openItem(item: ItemInstance<TreeItem> | undefined) {
  if (!item) return;
  actions.open(item.getId());
}

interface RowProps {
  item: ItemInstance<TreeItem>;
  tree: TreeInstance<TreeItem>;
  top: number;
  query: string;
  selected: boolean;
  focused: boolean;
  expanded: boolean;
  data: TreeItem;
  level: number;
  /** Where this node and its instance disagree, as last seen. */
  drifts: readonly Drift[] | undefined;
}

const Row = memo(function Row({ item, tree, top, query, selected, focused, expanded, data, level, drifts }: RowProps) {
  const props = item.getProps();
  const isSystem = data.kind === "system";
  // Only this row re-renders when its node's live state changes.
  const { state, moving } = useLiveLook(data);
  const parts = query ? highlight(data.label, query) : null;
  const cloneMark = data.cloneOf ? (data.cloneOf.startsWith(`${data.system ?? ""}/`) || !data.system ? baseName(data.cloneOf) : data.cloneOf) : null;

  const onClick = (e: ReactMouseEvent) => {
    const id = item.getId();
    const ref = tree.getDataRef<{ selectUpToAnchorId?: string | null }>();
    if (e.shiftKey) item.selectUpTo(e.ctrlKey || e.metaKey);
    else if (e.ctrlKey || e.metaKey) item.toggleSelect();
    else tree.setSelectedItems([id]);
    if (!e.shiftKey) ref.current.selectUpToAnchorId = id;
    item.setFocused();
  };
  const toggle = (e: ReactMouseEvent) => {
    e.stopPropagation();
    if (item.isExpanded()) item.collapse();
    else item.expand();
  };

  return (
    <div
      {...props}
      onClick={onClick}
      onDoubleClick={(e) => (isSystem ? toggle(e) : actions.open(item.getId()))}
      data-testid={`tree-row-${data.name}`}
      data-name={data.name}
      data-kind={data.kind}
      data-state={isSystem ? undefined : state}
      data-selected={selected || undefined}
      style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${top}px)`, paddingLeft: 6 + level * 14 }}
      className={cx(
        "group flex cursor-default items-center gap-1.5 pr-2 text-[13px] outline-none",
        selected ? "bg-accent-soft text-fg" : "hover:bg-hover",
        selected && focused && "shadow-[inset_2px_0_0_var(--accent)]",
        "focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-accent",
      )}
    >
      {isSystem ? (
        <button
          tabIndex={-1}
          aria-label={expanded ? "Fold" : "Unfold"}
          onClick={toggle}
          className="flex h-4 w-4 shrink-0 items-center justify-center rounded text-muted hover:bg-line hover:text-fg"
        >
          <ChevronRight size={13} className={cx("transition-transform", expanded && "rotate-90")} />
        </button>
      ) : (
        <span className="flex h-4 w-4 shrink-0 items-center justify-center">
          <StateDot state={state} moving={moving} />
        </span>
      )}
      {isSystem ? (
        expanded ? (
          <FolderOpen size={14} className="shrink-0 text-muted" aria-hidden />
        ) : (
          <Folder size={14} className="shrink-0 text-muted" aria-hidden />
        )
      ) : (
        <Server size={14} className="shrink-0 text-muted" aria-hidden />
      )}
      <span className="min-w-0 truncate">
        {parts ? (
          <>
            {parts[0]}
            <mark className="rounded-sm bg-mark px-px text-fg">{parts[1]}</mark>
            {parts[2]}
          </>
        ) : (
          data.label
        )}
      </span>
      {cloneMark && (
        <span className="min-w-0 shrink truncate text-[12px] text-faint" title={`Cloned from ${data.cloneOf}`} data-testid="clone-mark">
          {"<="} {cloneMark}
        </span>
      )}
      <span className="ml-auto flex shrink-0 items-center gap-1.5 pl-1">
        {!isSystem && drifts && drifts.length > 0 && (
          <span
            title={`Differs from its instance ${drifts[0].instanceId}: ${drifts.map((d) => DRIFT_LABEL[d.field]).join(", ")}`}
            className="flex items-center gap-0.5 text-[11px] text-warn tabular-nums"
            data-testid={`tree-drift-${data.name}`}
          >
            <TriangleAlert size={12} aria-hidden />
            {drifts.length}
            <span className="sr-only"> differences from its instance</span>
          </span>
        )}
        {data.problem && (
          <span title={data.problem} className="text-danger">
            <AlertTriangle size={13} aria-label="File cannot be read" />
          </span>
        )}
        {isSystem && <span className="text-[11px] text-faint tabular-nums">{data.childCount}</span>}
      </span>
    </div>
  );
});

function TreeMenu({ model, target }: { model: TreeModel; target: string | null }) {
  const item = target ? model.byName.get(target) : undefined;
  const selected = useUi((s) => s.selected);
  const many = item && selected.length > 1 && selected.includes(item.name);
  const client = useQueryClient();
  const scope = item ? scopeFor(model, many ? selected : [item.name]) : null;
  return (
    <ContextMenu.Content className={menuContent} data-testid="tree-menu">
      {item && (
        <>
          <ContextMenu.Item className={menuItem} onSelect={() => actions.open(item.name)} data-testid="menu-open">
            <SquarePen size={14} /> Open <Kbd>Enter</Kbd>
          </ContextMenu.Item>
          <ContextMenu.Item className={menuItem} onSelect={() => actions.showGraph(model, item.name)} data-testid="menu-graph">
            <Network size={14} /> Show in graph
          </ContextMenu.Item>
          <ContextMenu.Separator className={menuSeparator} />
        </>
      )}
      {scope && (
        <>
          <ContextMenu.Label className="max-w-[260px] truncate px-2 py-1 text-[11px] font-semibold tracking-wide text-faint uppercase">Cloud · {scopeLabel(scope)}</ContextMenu.Label>
          <ContextMenu.Item className={menuItem} onSelect={() => cloudActions.launch(scope)} data-testid="menu-launch">
            <Rocket size={14} /> Launch…
          </ContextMenu.Item>
          <ContextMenu.Item className={menuItem} onSelect={() => cloudActions.refresh(client, scope)} data-testid="menu-refresh">
            <RefreshCw size={14} /> Refresh addresses
          </ContextMenu.Item>
          <ContextMenu.Item className={menuItem} onSelect={() => cloudActions.confirm(scope, "stop")} data-testid="menu-stop">
            <Square size={13} /> Stop…
          </ContextMenu.Item>
          <ContextMenu.Item className={menuItem} onSelect={() => cloudActions.confirm(scope, "start")} data-testid="menu-start">
            <Play size={13} /> Start…
          </ContextMenu.Item>
          <ContextMenu.Item className={menuItem} onSelect={() => cloudActions.wait(scope)} data-testid="menu-wait">
            <Hourglass size={13} /> Wait for a state…
          </ContextMenu.Item>
          <ContextMenu.Item className={menuItem} onSelect={() => cloudActions.launch(scope, true)} data-testid="menu-reinit">
            <Rocket size={14} /> Re-launch (new instances)…
          </ContextMenu.Item>
          <ContextMenu.Item className={cx(menuItem, "text-danger data-[highlighted]:bg-danger")} onSelect={() => cloudActions.confirm(scope, "terminate")} data-testid="menu-terminate">
            <Power size={14} /> Terminate…
          </ContextMenu.Item>
          <ContextMenu.Separator className={menuSeparator} />
        </>
      )}
      <ContextMenu.Item className={menuItem} onSelect={() => actions.newNode(model, target ?? null)} data-testid="menu-new-node">
        <Plus size={14} /> New node{item ? " here" : ""} <Kbd>Ctrl+N</Kbd>
      </ContextMenu.Item>
      <ContextMenu.Item className={menuItem} onSelect={() => actions.newSystem(model, target ?? null)} data-testid="menu-new-system">
        <FolderPlus size={14} /> New system{item ? " here" : ""}
      </ContextMenu.Item>
      {item?.kind === "node" && (
        <ContextMenu.Item className={menuItem} onSelect={() => actions.clone(model, item.name)} data-testid="menu-clone">
          <Copy size={14} /> Clone from this node… <Kbd>Ctrl+D</Kbd>
        </ContextMenu.Item>
      )}
      {item && (
        <>
          <ContextMenu.Separator className={menuSeparator} />
          <ContextMenu.Item className={menuItem} disabled={!!many} onSelect={() => actions.rename(item.name)} data-testid="menu-rename">
            <Pencil size={14} /> Rename or move… <Kbd>F2</Kbd>
          </ContextMenu.Item>
          {item.cloneOf && (
            <ContextMenu.Item className={menuItem} onSelect={() => actions.open(item.cloneOf!)} data-testid="menu-go-parent">
              <GitFork size={14} /> Go to clone parent
            </ContextMenu.Item>
          )}
          <ContextMenu.Item
            className={cx(menuItem, "text-danger data-[highlighted]:bg-danger")}
            onSelect={() => actions.remove(many ? selected : [item.name])}
            data-testid="menu-delete"
          >
            <Trash2 size={14} /> {many ? `Delete ${selected.length} items…` : "Delete…"} <Kbd>Del</Kbd>
          </ContextMenu.Item>
        </>
      )}
    </ContextMenu.Content>
  );
}
