import { screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { absoluteBoxes, connectEnd, dropTarget, graphContent, GraphView } from "../components/graph/GraphView";
import { BOX, grid, PAD } from "../components/graph/layout";
import { useUi } from "../lib/store";
import { buildModel } from "../lib/treeModel";
import { backendMock, resetBackend } from "./backendMock";
import { makeQueryClient } from "../lib/queries";
import { moveInto, moveSummary } from "../lib/moves";
import { demoTree } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

describe("graph", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
  });

  it("draws systems as boxes holding their nodes and systems, sized around them", () => {
    const model = buildModel(demoTree);
    const content = graphContent(model, { mode: "system", name: "" });
    expect(content.ids.slice(0, 4)).toEqual(["drumbo1", "drumbo2", "drumbo3", "webshop"]);
    expect(content.parents.get("webshop/frontend")).toBe("webshop");
    expect(content.parents.get("webshop/frontend/http01")).toBe("webshop/frontend");
    expect(content.parents.get("drumbo1")).toBeNull();
    expect([...content.containers]).toEqual(["webshop", "webshop/backend", "webshop/frontend"]);
    // Each system before what it holds (React Flow needs parents first).
    for (const [id, parent] of content.parents) if (parent) expect(content.ids.indexOf(parent)).toBeLessThan(content.ids.indexOf(id));
    expect(content.edges).toContainEqual({ from: "webshop/frontend/http01", to: "webshop/frontend/http02" });

    const placed = grid({ ids: content.ids, edges: content.edges, parents: content.parents, containers: content.containers });
    const backend = placed.get("webshop/backend")!;
    const db1 = placed.get("webshop/backend/db1")!;
    expect(db1).toMatchObject({ x: PAD.side, y: PAD.top, ...BOX });
    expect(backend.width).toBe(BOX.width + 2 * PAD.side);
    expect(backend.height).toBe(BOX.height + PAD.top + PAD.bottom);
    const webshop = placed.get("webshop")!;
    expect(webshop.width).toBeGreaterThan(placed.get("webshop/frontend")!.width);

    // Absolute boxes: the node inside two systems is offset by both.
    const boxes = absoluteBoxes(content.ids, placed, content.parents, content.containers);
    const abs = boxes.find((b) => b.id === "webshop/backend/db1")!;
    expect(abs.x).toBe(webshop.x + backend.x + db1.x);
    expect(abs.depth).toBe(2);
  });

  it("finds the innermost system box under the pointer, never the dragged one or one inside it", () => {
    const boxes = [
      { id: "web", x: 0, y: 0, width: 500, height: 400, container: true, depth: 0 },
      { id: "web/front", x: 20, y: 40, width: 200, height: 150, container: true, depth: 1 },
      { id: "web/front/a", x: 30, y: 80, width: 184, height: 58, container: false, depth: 2 },
      { id: "db", x: 600, y: 0, width: 200, height: 100, container: true, depth: 0 },
    ];
    expect(dropTarget({ x: 50, y: 100 }, boxes, "db")).toBe("web/front");
    expect(dropTarget({ x: 300, y: 300 }, boxes, "db")).toBe("web");
    expect(dropTarget({ x: 650, y: 50 }, boxes, "web/front/a")).toBe("db");
    expect(dropTarget({ x: 900, y: 900 }, boxes, "db")).toBeNull();
    expect(dropTarget({ x: 50, y: 100 }, boxes, "web/front")).toBe("web");
    expect(dropTarget({ x: 50, y: 100 }, boxes, "web")).toBeNull();
  });

  it("dragging from a node's handle to empty space opens the clone dialog with that node as the parent", () => {
    const model = buildModel(demoTree);
    expect(connectEnd(model, "drumbo2", false, false)).toBe(true);
    expect(useUi.getState().dialog).toEqual({ kind: "clone", parent: "drumbo2" });
    useUi.setState({ dialog: null });
    // Onto another node (its handle, or its box): nothing.
    expect(connectEnd(model, "drumbo2", true, false)).toBe(false);
    expect(connectEnd(model, "drumbo2", false, true)).toBe(false);
    // From a system: nothing to clone.
    expect(connectEnd(model, "webshop", false, false)).toBe(false);
    expect(useUi.getState().dialog).toBeNull();
  });

  it("renders the system boxes with the nodes they hold", async () => {
    useUi.setState({ graph: { mode: "system", name: "webshop" } });
    renderWithProviders(
      <div style={{ width: 800, height: 600 }}>
        <GraphView model={buildModel(demoTree)} />
      </div>,
    );
    await waitFor(() => expect(screen.getByTestId("graph-system-webshop/frontend")).toBeInTheDocument());
    expect(screen.getByTestId("graph-node-webshop/frontend/http01")).toBeInTheDocument();
    expect(screen.getByTestId("graph-node-webshop/backend/db1")).toBeInTheDocument();
    expect(screen.getByTestId("graph-handle-webshop/frontend/http01")).toBeInTheDocument();
  });

  it("a drop goes through the core's check: refused or a no-op moves nothing (the box snaps back), else it moves and selects", async () => {
    const client = makeQueryClient();
    backendMock.checkMove.mockResolvedValueOnce({ moves: [], problems: [{ name: "webshop", code: "repo.move_into_itself", message: "webshop cannot go into webshop/frontend" }] });
    expect(await moveInto(client, ["webshop"], "webshop/frontend")).toEqual({ kind: "refused", message: "webshop cannot go into webshop/frontend" });
    backendMock.checkMove.mockResolvedValueOnce({ moves: [{ from: "drumbo1", to: "drumbo1" }], problems: [] });
    expect(await moveInto(client, ["drumbo1"], "")).toEqual({ kind: "nothing" });
    expect(backendMock.moveItems).not.toHaveBeenCalled();

    backendMock.checkMove.mockResolvedValueOnce({ moves: [{ from: "drumbo1", to: "webshop/backend/drumbo1" }], problems: [] });
    backendMock.moveItems.mockResolvedValueOnce(["webshop/backend/drumbo1"]);
    expect(await moveInto(client, ["drumbo1"], "webshop/backend")).toEqual({ kind: "moved", names: ["webshop/backend/drumbo1"] });
    expect(backendMock.moveItems).toHaveBeenCalledWith(["drumbo1"], "webshop/backend");
    expect(useUi.getState().selected).toEqual(["webshop/backend/drumbo1"]);

    // Checked once per target: the cache answers the second time.
    backendMock.checkMove.mockClear();
    backendMock.checkMove.mockResolvedValue({ moves: [{ from: "drumbo2", to: "webshop/drumbo2" }], problems: [] });
    backendMock.moveItems.mockRejectedValueOnce({ code: "repo.conflict", message: "the files changed while you worked" });
    expect(await moveInto(client, ["drumbo2"], "webshop")).toMatchObject({ kind: "refused" });
    await moveInto(client, ["drumbo2"], "webshop");
    expect(backendMock.checkMove).toHaveBeenCalledTimes(1);
  });

  it("words what a drop would do from the core's answer", () => {
    const moves = ["a", "b", "c", "d"].map((n) => ({ from: n, to: `web/${n}` }));
    expect(moveSummary({ moves, problems: [] })).toBe("Move 4 here → web/a, web/b, web/c …");
    expect(moveSummary({ moves: moves.slice(0, 1), problems: [] })).toBe("Move here → web/a");
    expect(moveSummary({ moves: [], problems: [{ name: "a", code: "repo.already_exists", message: "web/a exists already" }] })).toBe("web/a exists already");
  });
});
