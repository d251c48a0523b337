// The tree of systems and nodes: the window's spine. The visible rows are flattened once per
// change of the model, the folding or the search (lib/treeRows.ts, in O(visible rows)), and only
// the rows in view are rendered (@tanstack/react-virtual), so 10,000 nodes stay fast. Each row
// reads its own selection, cut, live state, drift and health marks from the stores (per-row
// subscriptions), so a click or a node's state change re-renders the rows it concerns, not the
// tree; folding, the search and scrolling re-render the tree and the rows that moved.
import {
  memo,
  useCallback,
  useDeferredValue,
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent as ReactKeyboardEvent,
  type MouseEvent as ReactMouseEvent,
} from "react";
import { createPortal } from "react-dom";
import { useVirtualizer } from "@tanstack/react-virtual";
import { ContextMenu } from "radix-ui";
import { useQueryClient } from "@tanstack/react-query";
import { CalendarClock, Camera, ExternalLink, HeartCrack, Hourglass, Play, Power, RefreshCw, Rocket, Square, Terminal, TerminalSquare, TriangleAlert, Upload } from "lucide-react";
import { AlertTriangle, Ban, ChevronRight, ClipboardPaste, Copy, CornerDownRight, Folder, FolderOpen, FolderPlus, GitFork, Loader2, Network, Pencil, Plus, Scissors, Server, SquarePen, Trash2, X } from "lucide-react";
import type { TreeItem } from "../../bindings/TreeItem";
import { actions } from "../../lib/actions";
import { useUi } from "../../lib/store";
import { ancestors, baseName, highlight, search as searchTree, type SearchResult, type TreeModel } from "../../lib/treeModel";
import { clickSelection, flattenTree, setOf, type TreeRows } from "../../lib/treeRows";
import { cx, Kbd, menuContent, menuItem, menuSeparator } from "../ui";
import { StateDot } from "../ui/StateDot";
import { cloudActions, scopeFor, scopeLabel, useFleetFeed, useRowLiveLook } from "../../lib/cloud";
import { DRIFT_LABEL, useNodeDrift } from "../../lib/drift";
import { useNodeHealth } from "../../lib/wall";
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

/** What the rows call back into the tree with: one object for the tree's life, so the rows stay memoized. */
interface TreeControl {
  click(id: string, e: ReactMouseEvent): void;
  toggle(id: string): void;
  /** A row's element appeared (or went): keyboard focus waiting for that row moves to it. */
  register(id: string, el: HTMLElement | null): void;
  /** Gives the row keyboard focus now, or as soon as it is rendered (after scrolling to it). */
  focus(id: string): void;
}

/** What the tree's callbacks read: the last render's rows, folding and search. */
interface Latest {
  rows: TreeRows;
  openList: string[];
  result: SearchResult | null;
  setOpenList: (next: string[]) => void;
}

export function RepoTree({ model }: { model: TreeModel }) {
  // Typing in the search box stays immediate; the filtered tree follows in an interruptible render.
  const query = useDeferredValue(useUi((s) => s.search));
  const expanded = useUi((s) => s.expanded);
  const result = useMemo(() => searchTree(model, query), [model, query]);
  // Folding within a search's result belongs to that search; clearing the search brings the tree's own back.
  const [searchOpen, setSearchOpen] = useState<{ result: SearchResult; open: string[] } | null>(null);
  const openList = result ? (searchOpen?.result === result ? searchOpen.open : result.unfold) : expanded;
  const open = setOf(openList);
  const rows = useMemo(() => flattenTree(model, open, result), [model, open, result]);
  // Whether the current item has a row: if not, the first row takes the keyboard's Tab stop.
  const currentShown = useUi((s) => s.current !== null && rows.index.has(s.current));

  const scrollRef = useRef<HTMLDivElement>(null);
  const [menuTarget, setMenuTarget] = useState<string | null>(null);
  const client = useQueryClient();
  const cutCount = useUi((s) => s.cut.length);
  const [problem, setProblem] = useState<string | null>(null);
  const { drag, hover, refused, dropState, labelRef, labelStart, onPointerDown, onClickCapture } = useTreeDragDrop(scrollRef, setProblem);
  // The rows read their nodes' live states from the cache; the tree keeps it fetched, without re-rendering for it.
  useFleetFeed();

  const virtualizer = useVirtualizer({
    count: rows.ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 280, height: 600 },
  });

  const now: Latest = {
    rows,
    openList,
    result,
    setOpenList: (next) => (result ? setSearchOpen({ result, open: next }) : useUi.getState().setExpanded(next)),
  };
  const latest = useRef(now);
  latest.current = now;
  const virtualizerRef = useRef(virtualizer);
  virtualizerRef.current = virtualizer;
  /** Where a Shift-click or Shift+arrow extends the selection from. */
  const anchor = useRef<string | null>(null);
  /** The row keyboard focus goes to once it is rendered (after scrolling to it). */
  const pendingFocus = useRef<string | null>(null);
  /** The item to scroll into view once the systems above it are unfolded. */
  const pendingReveal = useRef<string | null>(null);

  const [ctl] = useState<TreeControl>(() => {
    const elements = new Map<string, HTMLElement>();
    return {
      click(id, e) {
        const ui = useUi.getState();
        const next = clickSelection(latest.current.rows, ui.selected, anchor.current, id, { shift: e.shiftKey, ctrl: e.ctrlKey || e.metaKey });
        anchor.current = next.anchor;
        ui.select(next.selected, setOf(next.selected).has(id) ? id : (next.selected[next.selected.length - 1] ?? null));
      },
      toggle(id) {
        const { openList, setOpenList } = latest.current;
        setOpenList(setOf(openList).has(id) ? openList.filter((n) => n !== id) : [...openList, id]);
      },
      register(id, el) {
        if (!el) {
          elements.delete(id);
          return;
        }
        elements.set(id, el);
        if (pendingFocus.current === id) {
          pendingFocus.current = null;
          el.focus();
        }
      },
      focus(id) {
        const el = elements.get(id);
        pendingFocus.current = el ? null : id;
        el?.focus();
      },
    };
  });

  // Something else (the overview, the graph, a search's Enter) picked an item: unfold the systems
  // above it and scroll it into view. A store subscription, so a click does not re-render the tree.
  useEffect(() => {
    const reveal = (name: string | null) => {
      if (!name) return;
      if (latest.current.result) {
        // A search shows its matches unfolded already: only scroll.
        const index = latest.current.rows.index.get(name);
        if (index !== undefined) virtualizerRef.current.scrollToIndex(index, { align: "auto" });
        return;
      }
      const open = setOf(useUi.getState().expanded);
      const hidden = ancestors(name).filter((a) => !open.has(a));
      if (hidden.length) {
        pendingReveal.current = name;
        useUi.getState().expand(hidden);
        return;
      }
      const index = latest.current.rows.index.get(name);
      if (index !== undefined) virtualizerRef.current.scrollToIndex(index, { align: "auto" });
    };
    reveal(useUi.getState().current);
    return useUi.subscribe((s, prev) => {
      if (s.current !== prev.current) reveal(s.current);
    });
  }, []);
  useEffect(() => {
    const name = pendingReveal.current;
    const index = name === null ? undefined : rows.index.get(name);
    if (index === undefined) return;
    pendingReveal.current = null;
    virtualizer.scrollToIndex(index, { align: "auto" });
  }, [rows, virtualizer]);

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

  // ---- the keyboard: arrows, Home/End, Enter, F2, Delete; Ctrl+X, Ctrl+V, Escape for cut and paste ----
  const paste = (target: string) => void pasteInto(client, target).then(setProblem);
  /** Moves the keyboard focus (and the current item) to row `index`; with `extend`, the selection runs from the anchor to it. */
  const moveTo = (index: number, extend: boolean) => {
    const id = rows.ids[index];
    if (id === undefined) return;
    const ui = useUi.getState();
    if (extend) {
      const from = anchor.current !== null && rows.index.has(anchor.current) ? anchor.current : (ui.current ?? id);
      anchor.current = from;
      ui.select(clickSelection(rows, ui.selected, from, id, { shift: true, ctrl: false }).selected, id);
    } else {
      anchor.current = id;
      ui.select(setOf(ui.selected).has(id) ? ui.selected : [id], id);
    }
    virtualizer.scrollToIndex(index, { align: "auto" });
    ctl.focus(id);
  };
  const onKeyDown = (e: ReactKeyboardEvent) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.altKey) return;
    const ui = useUi.getState();
    const ctrl = e.ctrlKey || e.metaKey;
    const k = e.key.toLowerCase();
    if (ctrl && !e.shiftKey && k === "x") {
      const names = ui.selected.length ? ui.selected : ui.current ? [ui.current] : [];
      if (!names.length) return;
      e.preventDefault();
      setProblem(null);
      ui.setCut(names);
      return;
    }
    if (ctrl && !e.shiftKey && k === "v") {
      if (!ui.cut.length) return;
      e.preventDefault();
      paste(pasteTarget(model, ui.current, ui.selected));
      return;
    }
    if (e.key === "Escape" && ui.cut.length) {
      e.preventDefault();
      ui.setCut([]);
      return;
    }
    // The rest is for the rows (not, say, the Dismiss button below them).
    const last = rows.ids.length - 1;
    if (last < 0 || !(e.target instanceof Element) || !e.target.closest('[role="tree"]')) return;
    const at = ui.current === null ? undefined : rows.index.get(ui.current);
    const id = at === undefined ? null : rows.ids[at];
    const item = id === null ? undefined : model.byName.get(id);
    const isOpen = !!id && open.has(id);
    switch (e.key) {
      case "ArrowDown":
        if (ctrl) return;
        moveTo(at === undefined ? 0 : Math.min(at + 1, last), e.shiftKey);
        break;
      case "ArrowUp":
        if (ctrl) return;
        moveTo(at === undefined ? 0 : Math.max(at - 1, 0), e.shiftKey);
        break;
      case "Home":
        moveTo(0, e.shiftKey);
        break;
      case "End":
        moveTo(last, e.shiftKey);
        break;
      case "ArrowRight":
        if (at === undefined) moveTo(0, false);
        else if (item?.kind === "system" && !isOpen) ctl.toggle(rows.ids[at]);
        else moveTo(Math.min(at + 1, last), false);
        break;
      case "ArrowLeft":
        if (at === undefined) moveTo(0, false);
        else if (item?.kind === "system" && isOpen) ctl.toggle(rows.ids[at]);
        else if (item?.system && rows.index.has(item.system)) moveTo(rows.index.get(item.system)!, false);
        else return;
        break;
      case "Enter":
        if (!id) return;
        actions.open(id);
        break;
      case "F2":
        if (!id) return;
        actions.rename(id);
        break;
      case "Delete":
        actions.remove();
        break;
      case " ":
        // Ctrl+Space: the current row in or out of the selection.
        if (!ctrl || !id) return;
        ui.select(setOf(ui.selected).has(id) ? ui.selected.filter((n) => n !== id) : [...ui.selected, id], id);
        break;
      default:
        // Ctrl+A: every row shown.
        if (!(ctrl && !e.shiftKey && k === "a")) return;
        ui.select(rows.ids.slice(), ui.current);
    }
    e.preventDefault();
  };

  const virtualItems = virtualizer.getVirtualItems();
  const dropRow = drag?.target ? (rows.index.get(drag.target) ?? -1) : -1;
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
          {rows.ids.length === 0 ? (
            <p className="px-3 py-4 text-[12px] text-muted" data-testid="tree-empty">
              {result ? `No system or node is named like '${query.trim()}'.` : "Nothing here yet. Right-click for New node."}
            </p>
          ) : null}
          <div
            role="tree"
            aria-label="Systems and nodes"
            aria-multiselectable
            style={{ height: virtualizer.getTotalSize(), position: "relative" }}
            className="shrink-0 outline-none"
          >
            {virtualItems.map((v) => {
              const id = rows.ids[v.index];
              const data = model.byName.get(id);
              if (!data) return null;
              return (
                <Row
                  key={id}
                  data={data}
                  level={rows.levels[v.index]}
                  posInSet={rows.posInSet[v.index]}
                  setSize={rows.setSize[v.index]}
                  top={v.start}
                  isOpen={open.has(id)}
                  query={result && result.matches.has(id) ? query : ""}
                  drop={dropState(id)}
                  tabStop={!currentShown && v.index === 0}
                  ctl={ctl}
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
          {(problem || cutCount > 0) && !drag && <TreeNote problem={problem} onDismiss={() => (problem ? setProblem(null) : useUi.getState().setCut([]))} />}
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

/** Below the rows: why a move was refused, or what is cut and waiting for a paste. */
function TreeNote({ problem, onDismiss }: { problem: string | null; onDismiss: () => void }) {
  const cut = useUi((s) => s.cut);
  return (
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
      <button aria-label="Dismiss" className="rounded p-0.5 text-muted hover:bg-hover" onClick={onDismiss}>
        <X size={12} />
      </button>
    </div>
  );
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

interface RowProps {
  data: TreeItem;
  level: number;
  posInSet: number;
  setSize: number;
  /** Where the virtualized list puts it (px from the top). */
  top: number;
  /** A system shown unfolded. */
  isOpen: boolean;
  /** The search to highlight in its label ("": none). */
  query: string;
  /** The drop target of a drag: being checked, allowed, or refused by the core. */
  drop: DropLook | undefined;
  /** The keyboard's Tab stop when the current item has no row. */
  tabStop: boolean;
  ctl: TreeControl;
}

// The icons are the same elements every time, so React skips them when a row re-renders.
const CHEVRON = <ChevronRight size={13} className="transition-transform" />;
const CHEVRON_OPEN = <ChevronRight size={13} className="rotate-90 transition-transform" />;
const FOLDER = <Folder size={14} className="shrink-0 text-muted" aria-hidden />;
const FOLDER_OPEN = <FolderOpen size={14} className="shrink-0 text-muted" aria-hidden />;
const SERVER = <Server size={14} className="shrink-0 text-muted" aria-hidden />;
const PROBLEM = <AlertTriangle size={13} aria-label="File cannot be read" />;
const IMPAIRED = <HeartCrack size={12} aria-hidden />;
const EVENT = <CalendarClock size={12} aria-hidden />;

/**
 * One row. Memoized on its props (which change when the row moves, folds or matches a search);
 * whether it is selected, current or cut, its node's live state, its drift and health marks it reads
 * itself, so a change to one of those re-renders this row alone.
 */
const Row = memo(function Row({ data, level, posInSet, setSize, top, isOpen, query, drop, tabStop, ctl }: RowProps) {
  const id = data.name;
  const isSystem = data.kind === "system";
  const selected = useUi((s) => s.selected.length > 0 && setOf(s.selected).has(id));
  const focused = useUi((s) => s.current === id);
  const cut = useUi((s) => s.cut.length > 0 && setOf(s.cut).has(id));
  const drifts = useNodeDrift(id);
  const health = useNodeHealth(id);
  const { state, moving } = useRowLiveLook(data);
  const register = useCallback((el: HTMLDivElement | null) => ctl.register(id, el), [ctl, id]);
  const parts = query ? highlight(data.label, query) : null;
  const cloneMark = data.cloneOf ? (data.cloneOf.startsWith(`${data.system ?? ""}/`) || !data.system ? baseName(data.cloneOf) : data.cloneOf) : null;

  return (
    <div
      ref={register}
      role="treeitem"
      aria-level={level + 1}
      aria-setsize={setSize}
      aria-posinset={posInSet}
      aria-selected={selected}
      aria-expanded={isSystem ? isOpen : undefined}
      aria-label={data.label}
      tabIndex={focused || tabStop ? 0 : -1}
      onClick={(e) => ctl.click(id, e)}
      onDoubleClick={(e) => {
        if (!isSystem) return actions.open(id);
        e.stopPropagation();
        ctl.toggle(id);
      }}
      data-testid={`tree-row-${id}`}
      data-name={id}
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
          aria-label={isOpen ? "Fold" : "Unfold"}
          onClick={(e) => {
            e.stopPropagation();
            ctl.toggle(id);
          }}
          className="flex h-4 w-4 shrink-0 items-center justify-center rounded text-muted hover:bg-line hover:text-fg"
        >
          {isOpen ? CHEVRON_OPEN : CHEVRON}
        </button>
      ) : (
        <span className="flex h-4 w-4 shrink-0 items-center justify-center">
          <StateDot state={state} moving={moving} />
        </span>
      )}
      {isSystem ? (isOpen ? FOLDER_OPEN : FOLDER) : SERVER}
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
        {!isSystem && health && (
          <span title={health.title} className={cx("flex items-center", health.mark === "impaired" ? "text-danger" : "text-warn")} data-testid={`tree-health-${id}`} data-health={health.mark}>
            {health.mark === "impaired" ? IMPAIRED : EVENT}
            <span className="sr-only">{health.mark === "impaired" ? " status checks failing" : " event scheduled"}</span>
          </span>
        )}
        {!isSystem && drifts && drifts.length > 0 && (
          <span
            title={`Differs from its instance ${drifts[0].instanceId}: ${drifts.map((d) => DRIFT_LABEL[d.field]).join(", ")}`}
            className="flex items-center gap-0.5 text-[11px] text-warn tabular-nums"
            data-testid={`tree-drift-${id}`}
          >
            <TriangleAlert size={12} aria-hidden />
            {drifts.length}
            <span className="sr-only"> differences from its instance</span>
          </span>
        )}
        {data.problem && (
          <span title={data.problem} className="text-danger">
            {PROBLEM}
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
          <ContextMenu.Item className={menuItem} onSelect={() => cloudActions.snapshots(scope)} data-testid="menu-snapshots">
            <Camera size={13} /> Snapshots…
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
