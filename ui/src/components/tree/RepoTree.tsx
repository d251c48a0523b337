// The tree of systems and nodes: the window's spine. headless-tree keeps focus, selection and
// folding; only the visible rows are rendered (@tanstack/react-virtual), so 10,000 nodes stay fast.
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type MouseEvent as ReactMouseEvent } from "react";
import { createPortal } from "react-dom";
import { hotkeysCoreFeature, selectionFeature, syncDataLoaderFeature, type ItemInstance, type TreeInstance } from "@headless-tree/core";
import { useTree } from "@headless-tree/react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { ContextMenu } from "radix-ui";
import { useQueryClient } from "@tanstack/react-query";
import { ExternalLink, Hourglass, Play, Power, RefreshCw, Rocket, Square, Terminal, TerminalSquare, TriangleAlert, Upload } from "lucide-react";
import { AlertTriangle, Ban, ChevronRight, ClipboardPaste, Copy, CornerDownRight, Folder, FolderOpen, FolderPlus, GitFork, Loader2, Network, Pencil, Plus, Scissors, Server, SquarePen, Trash2, X } from "lucide-react";
import type { Drift } from "../../bindings/Drift";
import type { TreeItem } from "../../bindings/TreeItem";
import { actions } from "../../lib/actions";
import { useUi } from "../../lib/store";
import { ROOT_ID, ancestors, baseName, highlight, search as searchTree, type TreeModel } from "../../lib/treeModel";
import { cx, Kbd, menuContent, menuItem, menuSeparator } from "../ui";
import { StateDot } from "../ui/StateDot";
import { cloudActions, scopeFor, scopeLabel, useLiveLook } from "../../lib/cloud";
import { DRIFT_LABEL, useDrift } from "../../lib/drift";
import { moveInto, moveSummary } from "../../lib/moves";
import { remoteActions } from "../../lib/remote";
import { useTreeDragDrop, type DropLook } from "./useTreeDragDrop";

/** Where a paste goes: the current item if a system, else its system; nothing current: the top level. */
export function pasteTarget(model: TreeModel, current: string | null, selected: string[]): string {
  if (!current || selected.length === 0) return "";
  const item = model.byName.get(current);
  if (!item) return "";
  return item.kind === "system" ? item.name : (item.system ?? "");
}

/** Moves the cut items into `target` through the core's check; clears the cut when they moved. */
export async function pasteInto(client: ReturnType<typeof useQueryClient>, target: string): Promise<string | null> {
  const cut = useUi.getState().cut;
  if (cut.length === 0) return null;
  const result = await moveInto(client, cut, target);
  if (result.kind === "refused") return result.message;
  useUi.getState().setCut([]);
  return null;
}

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
  const client = useQueryClient();
  const cut = useUi((s) => s.cut);
  const cutSet = useMemo(() => new Set(cut), [cut]);
  const [problem, setProblem] = useState<string | null>(null);
  const { drag, hover, refused, dropState, labelRef, labelStart, onPointerDown, onClickCapture } = useTreeDragDrop(scrollRef, setProblem);
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

  // ---- cut and paste: Ctrl+X, Ctrl+V, Escape ----
  const paste = (target: string) => void pasteInto(client, target).then(setProblem);
  const onKeyDown = (e: ReactKeyboardEvent) => {
    const ui = useUi.getState();
    const k = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && k === "x") {
      const names = ui.selected.length ? ui.selected : ui.current ? [ui.current] : [];
      if (!names.length) return;
      e.preventDefault();
      setProblem(null);
      ui.setCut(names);
    } else if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && k === "v") {
      if (!ui.cut.length) return;
      e.preventDefault();
      paste(pasteTarget(model, ui.current, ui.selected));
    } else if (e.key === "Escape" && ui.cut.length) {
      e.preventDefault();
      ui.setCut([]);
    }
  };

  const dropRow = drag?.target ? items.findIndex((i) => i.getId() === drag.target) : -1;
  const hint = drag && drag.target !== null && (
    <DropHint
      look={dropState(drag.target) ?? "checking"}
      text={hover.check ? moveSummary(hover.check) : hover.error ? String((hover.error as Error).message ?? hover.error) : "Checking…"}
      where={drag.target || "the top level"}
    />
  );

  return (
    <ContextMenu.Root>
      <ContextMenu.Trigger asChild onContextMenu={onContextMenu}>
        <div
          ref={scrollRef}
          className={cx("relative flex min-h-0 flex-1 flex-col overflow-auto outline-none", drag?.target === "" && (refused ? "bg-danger-soft/40" : "bg-accent-soft/30"))}
          data-testid="tree"
          data-drop={drag?.target === "" ? (dropState("") ?? "checking") : undefined}
          onPointerDown={onPointerDown}
          onClickCapture={onClickCapture}
          onKeyDown={onKeyDown}
        >
          {items.length === 0 ? (
            <p className="px-3 py-4 text-[12px] text-muted" data-testid="tree-empty">
              {result ? `No system or node is named like '${query.trim()}'.` : "Nothing here yet. Right-click for New node."}
            </p>
          ) : null}
          <div {...containerProps} style={{ height: virtualizer.getTotalSize(), position: "relative" }} className="shrink-0 outline-none">
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
                  cut={cutSet.has(item.getId())}
                  drop={dropState(item.getId())}
                />
              );
            })}
            {hint && dropRow >= 0 && (
              <div className="pointer-events-none absolute right-1 left-6 z-10" style={{ top: (dropRow + 1) * ROW_HEIGHT }}>
                {hint}
              </div>
            )}
          </div>
          {/* The top-level drop area: whatever room is left below the rows (at least a strip while dragging). */}
          <div className={cx("min-h-6 flex-1", drag && "min-h-10")} data-testid="tree-top-level">
            {drag && (
              <div className={cx("sticky bottom-0 m-1 rounded border border-dashed px-2 py-1 text-[11px]", drag.target === "" ? (refused ? "border-danger text-danger" : "border-accent text-accent") : "border-line-strong text-faint")}>
                {drag.target === "" && hint ? hint : "Drop here to move to the top level"}
              </div>
            )}
          </div>
          {(problem || cut.length > 0) && !drag && (
            <div className="sticky bottom-0 z-10 flex items-start gap-1.5 border-t border-line bg-panel px-2 py-1.5 text-[12px]">
              {problem ? (
                <p className="flex min-w-0 flex-1 gap-1 text-danger" role="alert" data-testid="tree-move-problem">
                  <Ban size={13} className="mt-px shrink-0" /> <span className="min-w-0 break-words">{problem}</span>
                </p>
              ) : (
                <p className="flex min-w-0 flex-1 gap-1 text-muted" data-testid="tree-cut-note">
                  <Scissors size={13} className="mt-px shrink-0" /> {cut.length === 1 ? baseName(cut[0]) : `${cut.length} items`} cut: select a system and press Ctrl+V (Escape cancels).
                </p>
              )}
              <button aria-label="Dismiss" className="rounded p-0.5 text-muted hover:bg-hover" onClick={() => (problem ? setProblem(null) : useUi.getState().setCut([]))}>
                <X size={12} />
              </button>
            </div>
          )}
          {drag &&
            createPortal(
              <div
                ref={labelRef}
                data-testid="tree-drag-label"
                className="pointer-events-none fixed top-0 left-0 z-50 rounded border border-line bg-panel px-1.5 py-0.5 text-[11px] text-fg shadow-md"
                style={{ transform: labelStart }}
              >
                {drag.names.length === 1 ? baseName(drag.names[0]) : `${drag.names.length} items`}
              </div>,
              document.body,
            )}
        </div>
      </ContextMenu.Trigger>
      <ContextMenu.Portal>
        <TreeMenu model={model} target={menuTarget} onPaste={paste} />
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
  /** Cut (Ctrl+X), waiting for a paste. */
  cut: boolean;
  /** The drop target of a drag: being checked, allowed, or refused by the core. */
  drop: DropLook | undefined;
}

function DropHint({ look, text, where }: { look: DropLook; text: string; where: string }) {
  return (
    <div
      data-testid="tree-drop-hint"
      data-look={look}
      title={`Into ${where}`}
      className={cx(
        "flex items-start gap-1 rounded border px-1.5 py-0.5 text-[11px] shadow-sm",
        look === "refused" ? "border-danger/50 bg-danger-soft text-danger" : look === "allowed" ? "border-accent/50 bg-panel text-accent" : "border-line bg-panel text-muted",
      )}
    >
      {look === "refused" ? <Ban size={11} className="mt-px shrink-0" /> : look === "allowed" ? <CornerDownRight size={11} className="mt-px shrink-0" /> : <Loader2 size={11} className="mt-px shrink-0 animate-spin" />}
      <span className="min-w-0 break-words">{text}</span>
    </div>
  );
}

const Row = memo(function Row({ item, tree, top, query, selected, focused, expanded, data, level, drifts, cut, drop }: RowProps) {
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
      data-cut={cut || undefined}
      data-drop={drop}
      style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${top}px)`, paddingLeft: 6 + level * 14 }}
      className={cx(
        "group flex cursor-default items-center gap-1.5 pr-2 text-[13px] outline-none select-none",
        selected ? "bg-accent-soft text-fg" : "hover:bg-hover",
        selected && focused && "shadow-[inset_2px_0_0_var(--accent)]",
        cut && "opacity-50 [&_span]:italic",
        drop === "allowed" && "bg-accent-soft outline-2 -outline-offset-2 outline-accent",
        drop === "refused" && "cursor-not-allowed bg-danger-soft outline-2 -outline-offset-2 outline-danger",
        drop === "checking" && "outline-1 -outline-offset-1 outline-line-strong",
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

function TreeMenu({ model, target, onPaste }: { model: TreeModel; target: string | null; onPaste: (into: string) => void }) {
  const item = target ? model.byName.get(target) : undefined;
  const selected = useUi((s) => s.selected);
  const cut = useUi((s) => s.cut);
  const pasteInto = !item ? "" : item.kind === "system" ? item.name : null;
  const many = item && selected.length > 1 && selected.includes(item.name);
  const client = useQueryClient();
  const scopeNames = item ? (many ? selected : [item.name]) : EMPTY;
  const scope = item ? scopeFor(model, scopeNames) : null;
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
          {item?.kind === "node" && !many && (
            <>
              <ContextMenu.Item className={menuItem} onSelect={() => remoteActions.connect(item.name)} data-testid="node-connect">
                <Terminal size={14} /> Connect
              </ContextMenu.Item>
              <ContextMenu.Item className={menuItem} onSelect={() => void remoteActions.openInMyTerminal(item.name)} data-testid="node-open-terminal">
                <ExternalLink size={14} /> Open in my terminal
              </ContextMenu.Item>
            </>
          )}
          <ContextMenu.Item className={menuItem} onSelect={() => remoteActions.runCommand(model, scopeNames)} data-testid="run-command-open">
            <TerminalSquare size={14} /> Run command…
          </ContextMenu.Item>
          <ContextMenu.Item className={menuItem} onSelect={() => remoteActions.copyFiles(model, scopeNames)} data-testid="copy-files-open">
            <Upload size={14} /> Copy files…
          </ContextMenu.Item>
          <ContextMenu.Separator className={menuSeparator} />
        </>
      )}
      {cut.length > 0 && pasteInto !== null && (
        <>
          <ContextMenu.Item className={menuItem} onSelect={() => onPaste(pasteInto)} data-testid="menu-paste">
            <ClipboardPaste size={14} /> {pasteInto ? `Paste ${cut.length === 1 ? baseName(cut[0]) : `${cut.length} items`} here` : `Paste ${cut.length === 1 ? baseName(cut[0]) : `${cut.length} items`} at the top level`} <Kbd>Ctrl+V</Kbd>
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
          <ContextMenu.Item className={menuItem} onSelect={() => useUi.getState().setCut(many ? selected : [item.name])} data-testid="menu-cut">
            <Scissors size={14} /> {many ? `Cut ${selected.length} items` : "Cut"} <Kbd>Ctrl+X</Kbd>
          </ContextMenu.Item>
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
