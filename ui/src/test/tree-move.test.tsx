import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RepoTree } from "../components/tree/RepoTree";
import { useUi } from "../lib/store";
import { buildModel } from "../lib/treeModel";
import { backendMock, resetBackend } from "./backendMock";
import { demoTree } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

// jsdom has no layout: document.elementFromPoint answers from `spots`, the element "at" (10, 100·i).
let spots: Element[] = [];
const at = (el: Element) => {
  let i = spots.indexOf(el);
  if (i < 0) i = spots.push(el) - 1;
  return { clientX: 10, clientY: i * 100, pointerId: 1, button: 0, buttons: 1 };
};
const press = (el: Element) => fireEvent.pointerDown(el, at(el));
const moveTo = (el: Element) => fireEvent.pointerMove(el, at(el));
const release = (el: Element) => fireEvent.pointerUp(el, { ...at(el), buttons: 0 });

const row = (name: string) => screen.getByTestId(`tree-row-${name}`);

describe("moving in the tree", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    spots = [];
    document.elementFromPoint = (_x: number, y: number) => spots[Math.round(y / 100)] ?? null;
  });
  afterEach(() => {
    delete (document as { elementFromPoint?: unknown }).elementFromPoint;
  });

  it("drags the selection onto a system: the core's check shows on the row, the drop moves and selects the new names", async () => {
    backendMock.checkMove.mockResolvedValue({
      moves: [
        { from: "drumbo1", to: "webshop/drumbo1" },
        { from: "drumbo2", to: "webshop/drumbo2" },
      ],
      problems: [],
    });
    backendMock.moveItems.mockResolvedValue(["webshop/drumbo1", "webshop/drumbo2"]);
    renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    fireEvent.click(row("drumbo1"));
    fireEvent.click(row("drumbo2"), { ctrlKey: true });
    press(row("drumbo2"));
    // A few px is not a drag yet.
    fireEvent.pointerMove(row("drumbo2"), { ...at(row("drumbo2")), clientX: 12, clientY: 1 });
    expect(screen.queryByTestId("tree-drag-label")).toBeNull();
    moveTo(row("webshop"));
    moveTo(row("webshop"));
    // Dragging a row of the selection drags the whole selection.
    expect(screen.getByTestId("tree-drag-label")).toHaveTextContent("2 items");
    expect(useUi.getState().selected).toEqual(["drumbo1", "drumbo2"]);
    const hint = await screen.findByText("Move 2 here → webshop/drumbo1, webshop/drumbo2");
    expect(hint.closest("[data-testid=tree-drop-hint]")).toHaveAttribute("data-look", "allowed");
    expect(backendMock.checkMove).toHaveBeenCalledTimes(1);
    expect(backendMock.checkMove).toHaveBeenCalledWith(["drumbo1", "drumbo2"], "webshop");
    expect(row("webshop")).toHaveAttribute("data-drop", "allowed");

    release(row("webshop"));
    expect(screen.queryByTestId("tree-drag-label")).toBeNull();
    await waitFor(() => expect(backendMock.moveItems).toHaveBeenCalledWith(["drumbo1", "drumbo2"], "webshop"));
    await waitFor(() => expect(useUi.getState().selected).toEqual(["webshop/drumbo1", "webshop/drumbo2"]));
    expect(useUi.getState().current).toBe("webshop/drumbo2");
    expect(screen.queryByTestId("tree-drop-hint")).toBeNull();
  });

  it("shows the core's problem and a not-allowed target, and a drop there moves nothing", async () => {
    backendMock.checkMove.mockResolvedValue({ moves: [], problems: [{ name: "webshop", code: "repo.move_into_itself", message: "webshop cannot move into itself" }] });
    useUi.setState({ expanded: ["webshop"] });
    renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    press(row("webshop"));
    moveTo(row("webshop/frontend"));
    expect(useUi.getState().selected).toEqual(["webshop"]);
    const hint = await screen.findByTestId("tree-drop-hint");
    await waitFor(() => expect(hint).toHaveTextContent("webshop cannot move into itself"));
    expect(hint).toHaveAttribute("data-look", "refused");
    expect(row("webshop/frontend")).toHaveAttribute("data-drop", "refused");
    expect(backendMock.checkMove).toHaveBeenCalledWith(["webshop"], "webshop/frontend");
    release(row("webshop/frontend"));
    await screen.findByTestId("tree-move-problem");
    expect(screen.getByTestId("tree-move-problem")).toHaveTextContent("webshop cannot move into itself");
    expect(backendMock.moveItems).not.toHaveBeenCalled();
  });

  it("moves to the top level from the area below the rows; a node row is no target", async () => {
    backendMock.checkMove.mockResolvedValue({ moves: [{ from: "webshop/backend/db1", to: "db1" }], problems: [] });
    backendMock.moveItems.mockResolvedValue(["db1"]);
    useUi.setState({ expanded: ["webshop", "webshop/backend"] });
    renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    press(row("webshop/backend/db1"));
    moveTo(row("drumbo1"));
    expect(screen.queryByTestId("tree-drop-hint")).toBeNull();
    expect(row("drumbo1")).not.toHaveAttribute("data-drop");
    moveTo(screen.getByTestId("tree-top-level"));
    await screen.findByText("Move here → db1");
    expect(screen.getByTestId("tree")).toHaveAttribute("data-drop", "allowed");
    expect(backendMock.checkMove).toHaveBeenCalledWith(["webshop/backend/db1"], "");
    release(screen.getByTestId("tree-top-level"));
    await waitFor(() => expect(backendMock.moveItems).toHaveBeenCalledWith(["webshop/backend/db1"], ""));
    await waitFor(() => expect(useUi.getState().selected).toEqual(["db1"]));
  });

  it("a press without movement is a click that selects; Escape cancels a drag; a release on no target moves nothing and does not select", async () => {
    backendMock.checkMove.mockResolvedValue({ moves: [{ from: "drumbo1", to: "webshop/drumbo1" }], problems: [] });
    renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    press(row("drumbo1"));
    release(row("drumbo1"));
    fireEvent.click(row("drumbo1"));
    expect(useUi.getState().selected).toEqual(["drumbo1"]);
    press(row("drumbo3"));
    release(row("drumbo3"));
    fireEvent.click(row("drumbo3"), { ctrlKey: true });
    expect(useUi.getState().selected).toEqual(["drumbo1", "drumbo3"]);

    // Escape: the drag ends, nothing is checked any more, the release moves nothing.
    press(row("drumbo1"));
    moveTo(row("webshop"));
    expect(row("webshop")).toHaveAttribute("data-drop");
    fireEvent.keyDown(row("drumbo1"), { key: "Escape", code: "Escape" });
    expect(row("webshop")).not.toHaveAttribute("data-drop");
    expect(screen.queryByTestId("tree-drag-label")).toBeNull();
    release(row("webshop"));
    fireEvent.click(screen.getByTestId("tree"));
    expect(useUi.getState().selected).toEqual(["drumbo1", "drumbo3"]);

    // Released over a node row (no target): nothing moves, and the click the release makes does not select it.
    press(row("drumbo1"));
    moveTo(row("drumbo2"));
    release(row("drumbo2"));
    fireEvent.click(row("drumbo2"));
    expect(useUi.getState().selected).toEqual(["drumbo1", "drumbo3"]);
    await new Promise((r) => setTimeout(r, 200));
    expect(backendMock.moveItems).not.toHaveBeenCalled();
  });

  it("cuts with Ctrl+X, pastes into the selected system with Ctrl+V, and Escape cancels the cut", async () => {
    backendMock.checkMove.mockResolvedValue({ moves: [{ from: "drumbo3", to: "webshop/drumbo3" }], problems: [] });
    backendMock.moveItems.mockResolvedValue(["webshop/drumbo3"]);
    renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    fireEvent.click(row("drumbo3"));
    fireEvent.keyDown(row("drumbo3"), { key: "x", code: "KeyX", ctrlKey: true });
    expect(useUi.getState().cut).toEqual(["drumbo3"]);
    expect(row("drumbo3")).toHaveAttribute("data-cut", "true");
    fireEvent.keyDown(row("drumbo3"), { key: "Escape", code: "Escape" });
    expect(useUi.getState().cut).toEqual([]);
    expect(row("drumbo3")).not.toHaveAttribute("data-cut");

    fireEvent.keyDown(row("drumbo3"), { key: "x", code: "KeyX", ctrlKey: true });
    fireEvent.click(row("webshop"));
    await act(async () => {
      fireEvent.keyDown(row("webshop"), { key: "v", code: "KeyV", ctrlKey: true });
    });
    await waitFor(() => expect(backendMock.moveItems).toHaveBeenCalledWith(["drumbo3"], "webshop"));
    expect(backendMock.checkMove).toHaveBeenCalledWith(["drumbo3"], "webshop");
    await waitFor(() => expect(useUi.getState().cut).toEqual([]));
    expect(useUi.getState().selected).toEqual(["webshop/drumbo3"]);
  });

  it("a refused paste keeps the cut and says why", async () => {
    backendMock.checkMove.mockResolvedValue({ moves: [], problems: [{ name: "drumbo1", code: "repo.already_exists", message: "webshop/drumbo1 exists already" }] });
    renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    useUi.setState({ cut: ["drumbo1"] });
    fireEvent.click(row("webshop"));
    fireEvent.keyDown(row("webshop"), { key: "v", code: "KeyV", ctrlKey: true });
    expect(await screen.findByTestId("tree-move-problem")).toHaveTextContent("webshop/drumbo1 exists already");
    expect(backendMock.moveItems).not.toHaveBeenCalled();
    expect(useUi.getState().cut).toEqual(["drumbo1"]);
  });
});
