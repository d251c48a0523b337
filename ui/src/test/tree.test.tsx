import { act, fireEvent, screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { RepoTree } from "../components/tree/RepoTree";
import { useUi } from "../lib/store";
import { buildModel, search } from "../lib/treeModel";
import { ACCOUNT_ID, bigTree, demoTree, wallAccount, wallOf } from "./fixtures";
import type { WallAlert } from "../bindings/WallAlert";
import { fleetKeys } from "../lib/queryKeys";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

const rows = () => screen.queryAllByRole("treeitem").map((r) => r.getAttribute("data-name"));

describe("tree", () => {
  beforeEach(resetUi);

  it("shows top-level items, folds systems, and marks clones and states", () => {
    renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    expect(rows()).toEqual(["drumbo1", "drumbo2", "drumbo3", "webshop"]);
    const drumbo2 = screen.getByTestId("tree-row-drumbo2");
    expect(within(drumbo2).getByTestId("clone-mark")).toHaveTextContent("<= drumbo1");
    expect(within(screen.getByTestId("tree-row-drumbo1")).getByRole("img")).toHaveAttribute("data-state", "has-instance");
    expect(within(drumbo2).getByRole("img")).toHaveAttribute("data-state", "not-launched");

    fireEvent.click(within(screen.getByTestId("tree-row-webshop")).getByRole("button", { name: "Unfold" }));
    expect(rows()).toEqual(["drumbo1", "drumbo2", "drumbo3", "webshop", "webshop/backend", "webshop/frontend"]);
    expect(useUi.getState().expanded).toEqual(["webshop"]);
  });

  it("filters by name, unfolds to the matches and highlights them", () => {
    useUi.setState({ search: "http" });
    renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    expect(rows()).toEqual(["webshop", "webshop/frontend", "webshop/frontend/http01", "webshop/frontend/http02"]);
    expect(within(screen.getByTestId("tree-row-webshop/frontend/http01")).getByText("http").tagName).toBe("MARK");
  });

  it("says so when nothing matches", () => {
    useUi.setState({ search: "nothing-like-this" });
    renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    expect(screen.getByTestId("tree-empty")).toHaveTextContent("No system or node is named like 'nothing-like-this'");
  });

  it("moves with the arrows, opens with Enter, renames with F2 and deletes with Delete", async () => {
    renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    const first = screen.getByTestId("tree-row-drumbo1");
    fireEvent.click(first);
    expect(useUi.getState().current).toBe("drumbo1");
    const key = (code: string) => {
      const target = document.activeElement && document.activeElement !== document.body ? document.activeElement : first;
      fireEvent.keyDown(target, { code, key: code });
      fireEvent.keyUp(target, { code, key: code });
    };
    first.focus();
    act(() => key("ArrowDown"));
    expect(useUi.getState().current).toBe("drumbo2");
    expect(useUi.getState().selected).toEqual(["drumbo2"]);
    act(() => key("Enter"));
    expect(useUi.getState().tab).toBe("node");
    act(() => key("F2"));
    expect(useUi.getState().dialog).toEqual({ kind: "rename", name: "drumbo2" });
    useUi.setState({ dialog: null });
    act(() => key("Delete"));
    expect(useUi.getState().dialog).toEqual({ kind: "delete", names: ["drumbo2"] });
  });

  it("ctrl-click builds a multi-selection", () => {
    renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    fireEvent.click(screen.getByTestId("tree-row-drumbo1"));
    fireEvent.click(screen.getByTestId("tree-row-drumbo3"), { ctrlKey: true });
    expect(useUi.getState().selected).toEqual(["drumbo1", "drumbo3"]);
    expect(screen.getByTestId("tree-row-drumbo3")).toHaveAttribute("aria-selected", "true");
  });

  it("marks nodes whose instance fails its checks or has an event scheduled, as the wall last found, row by row", () => {
    const { client } = renderWithProviders(<RepoTree model={buildModel(demoTree)} />);
    expect(screen.queryByTestId("tree-health-drumbo1")).not.toBeInTheDocument();
    const alert = (kind: WallAlert["kind"], node: string, text: string, advice: string): WallAlert => ({
      kind, accountId: ACCOUNT_ID, region: "us-east-1", instanceId: `i-${node}`, node, text, advice, due: null,
    });
    const wall = (alerts: WallAlert[]) => wallOf([wallAccount([], [{ region: "us-east-1" }], { alerts })]);
    const impaired = alert("impaired", "drumbo1", "drumbo1 (i-drumbo1) fails its system status check.", "Stop and start it to move it to another host.");
    const retiring = alert("scheduled-event", "drumbo3", "drumbo3 (i-drumbo3) is scheduled for retirement on 2026-12-14.", "Stop and start it before then, or reschedule in the EC2 console.");
    act(() => void client.setQueryData(fleetKeys.status(false), wall([impaired, retiring])));
    const mark = screen.getByTestId("tree-health-drumbo1");
    expect(mark).toHaveAttribute("data-health", "impaired");
    expect(mark).toHaveAttribute("title", expect.stringContaining("Stop and start it to move it to another host"));
    expect(mark).toHaveTextContent("status checks failing");
    expect(screen.getByTestId("tree-health-drumbo3")).toHaveAttribute("data-health", "event");
    expect(screen.queryByTestId("tree-health-drumbo2")).not.toBeInTheDocument();

    // A later answer: drumbo1 is healthy again, and only the event is left.
    act(() => void client.setQueryData(fleetKeys.status(false), wall([retiring])));
    expect(screen.queryByTestId("tree-health-drumbo1")).not.toBeInTheDocument();
    expect(screen.getByTestId("tree-health-drumbo3")).toHaveAttribute("data-health", "event");
  });

  it("renders only a window of rows for 10,000 nodes", () => {
    const model = buildModel(bigTree(10, 1000));
    useUi.setState({ expanded: model.systems });
    const started = performance.now();
    renderWithProviders(<RepoTree model={model} />);
    const elapsed = performance.now() - started;
    const shown = screen.getAllByRole("treeitem").length;
    expect(shown).toBeGreaterThan(10);
    expect(shown).toBeLessThan(80);
    expect(elapsed).toBeLessThan(5000);
  });
});

describe("search over the model", () => {
  it("matches the last part of the name, or the full name when the query has a '/'", () => {
    const model = buildModel(demoTree);
    expect(search(model, "DRUMBO")?.ordered).toEqual(["drumbo1", "drumbo2", "drumbo3"]);
    expect(search(model, "frontend/http02")?.ordered).toEqual(["webshop/frontend/http02"]);
    expect(search(model, " ")).toBeNull();
  });
});
