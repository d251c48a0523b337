import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
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

function transfer() {
  const data = new Map<string, string>();
  return { setData: (t: string, v: string) => data.set(t, v), getData: (t: string) => data.get(t) ?? "", effectAllowed: "", dropEffect: "", types: [] as string[] };
}

const row = (name: string) => screen.getByTestId(`tree-row-${name}`);

describe("moving in the tree", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
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
    const dt = transfer();
    fireEvent.dragStart(row("drumbo2"), { dataTransfer: dt });
    expect(JSON.parse(dt.getData("application/x-poni-items"))).toEqual(["drumbo1", "drumbo2"]);
    fireEvent.dragOver(row("webshop"), { dataTransfer: dt });
    fireEvent.dragOver(row("webshop"), { dataTransfer: dt });
    const hint = await screen.findByText("Move 2 here → webshop/drumbo1, webshop/drumbo2");
    expect(hint.closest("[data-testid=tree-drop-hint]")).toHaveAttribute("data-look", "allowed");
    expect(backendMock.checkMove).toHaveBeenCalledTimes(1);
    expect(backendMock.checkMove).toHaveBeenCalledWith(["drumbo1", "drumbo2"], "webshop");
    expect(row("webshop")).toHaveAttribute("data-drop", "allowed");

    fireEvent.drop(row("webshop"), { dataTransfer: dt });
    await waitFor(() => expect(backendMock.moveItems).toHaveBeenCalledWith(["drumbo1", "drumbo2"], "webshop"));
    await waitFor(() => expect(useUi.getState().selected).toEqual(["webshop/drumbo1", "webshop/drumbo2"]));
    expect(useUi.getState().current).toBe("webshop/drumbo2");
    expect(screen.queryByTestId("tree-drop-hint")).toBeNull();
  });

  it("shows the core's problem and a not-allowed target, and a drop there moves nothing", async () => {
    backendMock.checkMove.mockResolvedValue({ moves: [], problems: [{ name: "webshop", code: "repo.move_into_itself", message: "webshop cannot move into itself" }] });
    useUi.setState({ expanded: ["webshop"] });
    renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    const dt = transfer();
    fireEvent.dragStart(row("webshop"), { dataTransfer: dt });
    expect(useUi.getState().selected).toEqual(["webshop"]);
    fireEvent.dragOver(row("webshop/frontend"), { dataTransfer: dt });
    const hint = await screen.findByTestId("tree-drop-hint");
    await waitFor(() => expect(hint).toHaveTextContent("webshop cannot move into itself"));
    expect(hint).toHaveAttribute("data-look", "refused");
    expect(row("webshop/frontend")).toHaveAttribute("data-drop", "refused");
    expect(backendMock.checkMove).toHaveBeenCalledWith(["webshop"], "webshop/frontend");
    fireEvent.drop(row("webshop/frontend"), { dataTransfer: dt });
    await screen.findByTestId("tree-move-problem");
    expect(screen.getByTestId("tree-move-problem")).toHaveTextContent("webshop cannot move into itself");
    expect(backendMock.moveItems).not.toHaveBeenCalled();
  });

  it("moves to the top level from the area below the rows; a node row is no target", async () => {
    backendMock.checkMove.mockResolvedValue({ moves: [{ from: "webshop/backend/db1", to: "db1" }], problems: [] });
    backendMock.moveItems.mockResolvedValue(["db1"]);
    useUi.setState({ expanded: ["webshop", "webshop/backend"] });
    renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    const dt = transfer();
    fireEvent.dragStart(row("webshop/backend/db1"), { dataTransfer: dt });
    fireEvent.dragOver(row("drumbo1"), { dataTransfer: dt });
    expect(screen.queryByTestId("tree-drop-hint")).toBeNull();
    fireEvent.dragOver(screen.getByTestId("tree-top-level"), { dataTransfer: dt });
    await screen.findByText("Move here → db1");
    expect(backendMock.checkMove).toHaveBeenCalledWith(["webshop/backend/db1"], "");
    fireEvent.drop(screen.getByTestId("tree-top-level"), { dataTransfer: dt });
    await waitFor(() => expect(backendMock.moveItems).toHaveBeenCalledWith(["webshop/backend/db1"], ""));
    await waitFor(() => expect(useUi.getState().selected).toEqual(["db1"]));
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
