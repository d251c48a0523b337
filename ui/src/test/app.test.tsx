import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { useUi } from "../lib/store";
import { backendMock, resetBackend } from "./backendMock";
import { demoTree, item, view } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

const handlers: (() => void)[] = [];
vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return {
    ...actual,
    backend: backendMock,
    events: {
      onRepoChanged: (h: () => void) => {
        handlers.push(h);
        return Promise.resolve(() => {});
      },
    },
  };
});

describe("app", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    handlers.length = 0;
  });

  it("explains why the repository could not be opened and offers the way out", async () => {
    backendMock.workspaceInfo.mockResolvedValue({
      root: null,
      openError: { code: "repo.not_a_repository", message: "'/srv/x' is not a poni repository (it has no repo.json): create one with 'poni init'" },
      recent: ["/srv/old"],
      defaultRoot: "/home/me/.poni/default",
    });
    renderWithProviders(<App />);
    const error = await screen.findByTestId("open-error");
    expect(error).toHaveTextContent("'/srv/x' is not a poni repository");
    expect(error).toHaveTextContent("Pick a folder that holds a poni repository, or create a new one there.");
    expect(screen.getByTestId("start-default")).toHaveTextContent("~/.poni/default");
    expect(screen.getByText("/srv/old")).toBeInTheDocument();
  });

  it("teaches what to do in an empty repository", async () => {
    backendMock.loadTree.mockResolvedValue(view([]));
    renderWithProviders(<App />);
    const empty = await screen.findByTestId("empty-repository");
    expect(empty).toHaveTextContent("This repository is empty");
    expect(empty).toHaveTextContent("practice sandbox in Settings");
    fireEvent.click(screen.getByTestId("empty-new-node"));
    expect(useUi.getState().dialog).toEqual({ kind: "new-node", system: null });
  });

  it("counts from the tree, clicks through to nodes, and reloads when the repository changes", async () => {
    backendMock.loadTree.mockResolvedValue(demoTree);
    backendMock.fleetOverview.mockResolvedValue({
      nodes: 6,
      withInstance: 1,
      byState: (["pending", "running", "stopping", "stopped", "shutting-down", "terminated", "unknown"] as const).map((state) => ({ state, count: state === "running" ? 1 : 0 })),
      byRegion: [
        { region: "eu-west-1", nodes: 1, instances: 0, byState: [] },
        { region: "us-east-1", nodes: 3, instances: 1, byState: [{ state: "running", count: 1 }] },
        { region: null, nodes: 2, instances: 0, byState: [] },
      ],
      noInstance: ["drumbo2", "drumbo3", "webshop/backend/db1", "webshop/frontend/http01", "webshop/frontend/http02"],
      missing: [],
      transitional: [],
      withProblems: [],
      lastErrors: [],
      refreshing: false,
    });
    renderWithProviders(<App />);
    expect(await screen.findByTestId("stat-nodes-value")).toHaveTextContent("6");
    expect(screen.getByTestId("stat-systems-value")).toHaveTextContent("3");
    expect(screen.getByTestId("stat-clones-value")).toHaveTextContent("3");
    expect(await screen.findByTestId("fleet-instances")).toHaveTextContent("1 instance");
    fireEvent.click(screen.getByTestId("region-eu-west-1"));
    const list = screen.getByTestId("overview-list");
    expect(within(list).getByText("Nodes in eu-west-1")).toBeInTheDocument();
    fireEvent.click(within(list).getByTestId("overview-node-webshop/backend/db1"));
    expect(useUi.getState().current).toBe("webshop/backend/db1");

    // The command line adds a node: the event reloads the tree without a restart.
    backendMock.loadTree.mockResolvedValue(view([...demoTree.items, item("drumbo4", "node", { cloneOf: "drumbo1" })]));
    expect(handlers.length).toBeGreaterThan(0);
    act(() => handlers.forEach((h) => h()));
    await waitFor(() => expect(screen.getByTestId("stat-nodes-value")).toHaveTextContent("7"));
    expect(await screen.findByTestId("tree-row-drumbo4")).toBeInTheDocument();
  });

  it("opens the new node dialog with Ctrl+N and focuses search with Ctrl+F", async () => {
    backendMock.loadTree.mockResolvedValue(demoTree);
    backendMock.planNodes.mockResolvedValue({ parent: null, nodes: [] });
    renderWithProviders(<App />);
    await screen.findByTestId("tree-row-drumbo1");
    fireEvent.keyDown(window, { key: "f", ctrlKey: true });
    await waitFor(() => expect(screen.getByTestId("search-input")).toHaveFocus());
    fireEvent.keyDown(window, { key: "n", ctrlKey: true });
    expect(await screen.findByTestId("new-node-dialog")).toBeInTheDocument();
  });
});
