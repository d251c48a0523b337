// The decisions of the tree's drag and drop (useTreeDragDrop), without rendering a tree.
import { describe, expect, it } from "vitest";
import { DRAG_THRESHOLD, draggedNames, dropLook, dropTargetOf, edgeScroll, isDrag, type DragState } from "../components/tree/useTreeDragDrop";
import type { MoveCheck } from "../bindings/MoveCheck";

const rowOf = (name: string, kind: "system" | "node") => {
  const el = document.createElement("div");
  el.dataset.testid = `tree-row-${name}`;
  el.dataset.name = name;
  el.dataset.kind = kind;
  return el;
};
const topLevel = () => {
  const el = document.createElement("div");
  el.dataset.testid = "tree-top-level";
  return el;
};

describe("tree drag and drop decisions", () => {
  it("a drop onto a system goes into it, onto the area below the rows to the top level, onto a node or nothing nowhere", () => {
    expect(dropTargetOf(rowOf("webshop/backend", "system"))).toBe("webshop/backend");
    expect(dropTargetOf(topLevel())).toBe("");
    expect(dropTargetOf(rowOf("drumbo1", "node"))).toBeNull();
    expect(dropTargetOf(null)).toBeNull();
  });

  it("dragging a row of the selection carries the whole selection; another row goes alone", () => {
    expect(draggedNames(["drumbo1", "drumbo2"], "drumbo2")).toEqual(["drumbo1", "drumbo2"]);
    expect(draggedNames(["drumbo1", "drumbo2"], "drumbo3")).toEqual(["drumbo3"]);
    expect(draggedNames([], "drumbo3")).toEqual(["drumbo3"]);
  });

  it("a press becomes a drag once the pointer has travelled DRAG_THRESHOLD px", () => {
    const start = { x: 10, y: 10 };
    expect(isDrag(start, { x: 12, y: 11 })).toBe(false);
    expect(isDrag(start, { x: 10 + DRAG_THRESHOLD, y: 10 })).toBe(true);
    expect(isDrag(start, { x: 13, y: 14 })).toBe(true);
  });

  it("scrolls up near the tree's top edge, down near its bottom edge, not in between nor without a box", () => {
    const box = { top: 100, bottom: 500, height: 400 };
    expect(edgeScroll(box, 110)).toBeLessThan(0);
    expect(edgeScroll(box, 490)).toBeGreaterThan(0);
    expect(edgeScroll(box, 300)).toBe(0);
    expect(edgeScroll({ top: 0, bottom: 0, height: 0 }, 0)).toBe(0);
    expect(edgeScroll(undefined, 110)).toBe(0);
  });

  it("only the target looks like one: checking until the core answers, then allowed or refused", () => {
    const drag: DragState = { names: ["drumbo1"], target: "webshop" };
    const allowed: MoveCheck = { moves: [{ from: "drumbo1", to: "webshop/drumbo1" }], problems: [] };
    const refused: MoveCheck = { moves: [], problems: [{ name: "drumbo1", code: "repo.already_exists", message: "webshop/drumbo1 exists already" }] };
    expect(dropLook(drag, "webshop", undefined)).toBe("checking");
    expect(dropLook(drag, "webshop", allowed)).toBe("allowed");
    expect(dropLook(drag, "webshop", refused)).toBe("refused");
    expect(dropLook(drag, "drumbo2", allowed)).toBeUndefined();
    expect(dropLook(null, "webshop", allowed)).toBeUndefined();
    // The top level ("") is a target like any system.
    expect(dropLook({ names: ["db1"], target: "" }, "", allowed)).toBe("allowed");
    expect(dropLook({ names: ["db1"], target: null }, "", allowed)).toBeUndefined();
  });
});
