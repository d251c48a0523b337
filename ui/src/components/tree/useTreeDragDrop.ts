// Moving items by dragging tree rows: press a row, move past DRAG_THRESHOLD, release over a
// system row (into that system) or the area below the rows (to the top level). Pointer events,
// not HTML5 drag and drop (which WebKitGTK/WebDriver do not deliver reliably), so the target is
// found by hit-testing. The core checks each target while the pointer rests on it (useMoveCheck)
// and the drop moves through moveInto. RepoTree only wires the handlers and draws the state.
import { useEffect, useRef, useState, type MouseEvent as ReactMouseEvent, type PointerEvent as ReactPointerEvent, type RefObject } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { MoveCheck } from "../../bindings/MoveCheck";
import { moveInto, useMoveCheck } from "../../lib/moves";
import { useUi } from "../../lib/store";

/** How far (px) the pointer travels with the button held before a press becomes a drag. */
export const DRAG_THRESHOLD = 4;

/** A tree row (it names its item and kind in data attributes). */
export const ROW_SELECTOR = '[data-name][data-testid^="tree-row-"]';

/** Within this many px of the tree's top or bottom edge, a drag scrolls the tree... */
const EDGE = 24;
/** ...by this many px a frame. */
const EDGE_SPEED = 8;

const EMPTY: string[] = [];

export interface DragState {
  names: string[];
  /** The system the drop would go into ("" = the top level); null: not over a target. */
  target: string | null;
}

/** The drop target of a drag: being checked, allowed, or refused by the core. */
export type DropLook = "checking" | "allowed" | "refused";

/** The tree row or top-level drop area under a point (viewport coordinates), or null. */
export function dropElementAt(x: number, y: number): Element | null {
  const el = typeof document.elementFromPoint === "function" ? document.elementFromPoint(x, y) : null;
  return el?.closest(`${ROW_SELECTOR}, [data-testid="tree-top-level"]`) ?? null;
}

/**
 * Where a drop onto this element goes: a system row: into that system; the top-level area: ""
 * (the top level); a node row or nothing: null (no target, the drop moves nothing).
 */
export function dropTargetOf(el: Pick<HTMLElement, "dataset"> | null): string | null {
  if (!el) return null;
  if (el.dataset.testid === "tree-top-level") return "";
  return el.dataset.kind === "system" ? (el.dataset.name ?? null) : null;
}

/** What a drag from the row `name` carries: the whole selection if the row is in it, else that row alone. */
export function draggedNames(selected: string[], name: string): string[] {
  return selected.includes(name) ? selected : [name];
}

/** Whether a press at `start` whose pointer is now at `at` has become a drag. */
export function isDrag(start: { x: number; y: number }, at: { x: number; y: number }): boolean {
  return Math.hypot(at.x - start.x, at.y - start.y) >= DRAG_THRESHOLD;
}

/** The auto-scroll step (px a frame) for the pointer at `y` over the tree's box: up near its top, down near its bottom, else 0. */
export function edgeScroll(box: { top: number; bottom: number; height: number } | undefined, y: number): number {
  if (!box || box.height <= 0) return 0;
  return y < box.top + EDGE ? -EDGE_SPEED : y > box.bottom - EDGE ? EDGE_SPEED : 0;
}

/** How the row `name` ("" = the top-level area) looks during a drag, from the core's answer for the target; undefined: not the target. */
export function dropLook(drag: DragState | null, name: string, check: MoveCheck | undefined): DropLook | undefined {
  if (!drag || drag.target !== name) return undefined;
  return check ? (check.problems.length ? "refused" : "allowed") : "checking";
}

/** Where the label that follows the pointer is drawn for the pointer at `p`. */
export function labelTransform(p: { x: number; y: number }): string {
  return `translate(${p.x + 14}px, ${p.y + 10}px)`;
}

/**
 * Drag and drop for the tree whose scrolling box is `scrollRef`. `onProblem` gets null when a
 * drag starts and, after a drop, why the core refused the move (null when it moved or had
 * nothing to do).
 */
export function useTreeDragDrop(scrollRef: RefObject<HTMLElement | null>, onProblem: (problem: string | null) => void) {
  const client = useQueryClient();
  const [drag, setDrag] = useState<DragState | null>(null);
  const dragRef = useRef<DragState | null>(null);
  dragRef.current = drag;
  const hover = useMoveCheck(drag?.names ?? EMPTY, drag?.target ?? null);

  const setTarget = (target: string | null) => {
    const d = dragRef.current;
    if (d && d.target !== target) setDrag({ ...d, target });
  };
  /** The system a drop at (x, y) would go into ("" = the top level); null: no target there. */
  const targetAt = (x: number, y: number): string | null => {
    const el = dropElementAt(x, y) as HTMLElement | null;
    if (!el || !scrollRef.current?.contains(el)) return null;
    return dropTargetOf(el);
  };
  const labelRef = useRef<HTMLDivElement>(null);
  const pointRef = useRef({ x: 0, y: 0 });
  /** Ends the press or drag in progress (removes its window listeners). */
  const endPressRef = useRef<(() => void) | null>(null);
  /** A drag just ended: the click its release may produce must not select. */
  const suppressClickRef = useRef(false);
  useEffect(() => () => endPressRef.current?.(), []);

  const onPointerDown = (e: ReactPointerEvent) => {
    suppressClickRef.current = false;
    if (e.button !== 0 || endPressRef.current) return;
    const row = (e.target as HTMLElement).closest<HTMLElement>(ROW_SELECTOR);
    const name = row?.dataset.name;
    if (!name) return;
    const pointerId = e.pointerId;
    const start = { x: e.clientX, y: e.clientY };
    let names: string[] | null = null; // set once the press became a drag
    let edge = 0; // auto-scroll speed near the tree's top or bottom edge
    let frame = 0;
    const follow = (x: number, y: number) => {
      pointRef.current = { x, y };
      if (labelRef.current) labelRef.current.style.transform = labelTransform(pointRef.current);
      setTarget(targetAt(x, y));
    };
    const scrollStep = () => {
      const el = scrollRef.current;
      if (!edge || !el || !names) return void (frame = 0);
      el.scrollTop += edge;
      setTarget(targetAt(pointRef.current.x, pointRef.current.y));
      frame = requestAnimationFrame(scrollStep);
    };
    const move = (ev: PointerEvent) => {
      if (ev.pointerId !== pointerId) return;
      if (!names) {
        if (!isDrag(start, { x: ev.clientX, y: ev.clientY })) return;
        const ui = useUi.getState();
        names = draggedNames(ui.selected, name);
        if (!ui.selected.includes(name)) ui.select([name], name);
        window.getSelection()?.removeAllRanges();
        onProblem(null);
        const d = { names, target: null };
        dragRef.current = d;
        setDrag(d);
      }
      ev.preventDefault();
      follow(ev.clientX, ev.clientY);
      edge = edgeScroll(scrollRef.current?.getBoundingClientRect(), ev.clientY);
      if (edge && !frame) frame = requestAnimationFrame(scrollStep);
    };
    const finish = () => {
      end();
      if (names) {
        suppressClickRef.current = true;
        dragRef.current = null;
        setDrag(null);
      }
    };
    const up = (ev: PointerEvent) => {
      if (ev.pointerId !== pointerId) return;
      const dragged = names;
      const target = dragged ? targetAt(ev.clientX, ev.clientY) : null;
      finish();
      if (!dragged || target === null) return; // a click without movement: the row's onClick selects
      void moveInto(client, dragged, target).then((r) => onProblem(r.kind === "refused" ? r.message : null));
    };
    const cancel = (ev: PointerEvent) => ev.pointerId === pointerId && finish();
    const key = (ev: KeyboardEvent) => {
      if (ev.key !== "Escape" || !names) return;
      ev.preventDefault();
      ev.stopPropagation();
      finish();
    };
    const end = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
      window.removeEventListener("pointercancel", cancel);
      window.removeEventListener("keydown", key, true);
      if (frame) cancelAnimationFrame(frame);
      frame = 0;
      endPressRef.current = null;
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
    window.addEventListener("pointercancel", cancel);
    window.addEventListener("keydown", key, true);
    endPressRef.current = end;
  };
  /** Swallows the click the release of a drag produces (it must not select the row under it). */
  const onClickCapture = (e: ReactMouseEvent) => {
    if (!suppressClickRef.current) return;
    suppressClickRef.current = false;
    e.stopPropagation();
    e.preventDefault();
  };

  return {
    /** The drag in progress, or null. */
    drag,
    /** The core's answer for the current target (debounced). */
    hover,
    /** The current target is refused by the core. */
    refused: drag?.target != null && !!hover.check?.problems.length,
    /** How the row `name` ("" = the top-level area) looks as a drop target; undefined: it is not the target. */
    dropState: (name: string) => dropLook(drag, name, hover.check),
    /** The label that follows the pointer, and where it starts. */
    labelRef,
    labelStart: labelTransform(pointRef.current),
    /** For the tree's scrolling box. */
    onPointerDown,
    onClickCapture,
  };
}
