import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { HistoryPanel } from "../components/history/HistoryPanel";
import { useUi } from "../lib/store";
import { nextRedo, nextUndo } from "../lib/history";
import type { HistoryEntryView } from "../bindings/HistoryEntryView";
import type { HistoryView } from "../bindings/HistoryView";
import { backendMock, resetBackend } from "./backendMock";
import { demoTree } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function entry(id: string, label: string, extra: Partial<HistoryEntryView> = {}): HistoryEntryView {
  return { id, label, at: minutesAgo(5), origin: "app", undone: false, items: [], itemCount: 0, ...extra };
}

const history: HistoryView = {
  entries: [
    entry("4", "add node web/c", { undone: true, origin: "commandLine" }),
    entry("3", "set cloud.type on 3 nodes", {
      items: [
        { name: "web/a", change: "changed", movedTo: null, properties: [{ key: "cloud.type", before: "t3.micro", after: "t3.large" }] },
        { name: "web/b", change: "changed", movedTo: null, properties: [{ key: "cloud.type", before: null, after: "t3.large" }] },
      ],
      itemCount: 3,
    }),
    entry("2", "move drumbo1 to web", { origin: "commandLine", at: minutesAgo(180), items: [{ name: "drumbo1", change: "moved", movedTo: "web/drumbo1", properties: [] }], itemCount: 1 }),
  ],
  canUndo: true,
  canRedo: true,
  nextUndo: "set cloud.type on 3 nodes",
  nextRedo: "add node web/c",
};

const outcome = (stillRunning: { node: string; instanceId: string; region: string | null; launchedHere?: boolean }[] = []) => ({
  entry: history.entries[1],
  stillRunning: stillRunning.map((r) => ({ launchedHere: true, ...r })),
});

async function openApp() {
  backendMock.loadTree.mockResolvedValue(demoTree);
  backendMock.historyList.mockResolvedValue(history);
  renderWithProviders(<App />);
  await screen.findByTestId("tree-row-drumbo1");
}

describe("undo and redo", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
  });

  it("names the change in the buttons' tooltips and picks the next entry from the core's list", async () => {
    expect(nextUndo(history)).toBe("set cloud.type on 3 nodes");
    expect(nextRedo(history)).toBe("add node web/c");
    expect(nextUndo({ ...history, canUndo: false })).toBeUndefined();
    await openApp();
    await waitFor(() => expect(screen.getByTestId("action-undo")).toHaveAccessibleName("Undo: set cloud.type on 3 nodes"));
    expect(screen.getByTestId("action-redo")).toHaveAccessibleName("Redo: add node web/c");
    expect(screen.getByTestId("action-undo")).toBeEnabled();
  });

  it("disables the buttons when the core says there is nothing to undo or redo", async () => {
    backendMock.loadTree.mockResolvedValue(demoTree);
    backendMock.historyList.mockResolvedValue({ entries: [], canUndo: false, canRedo: false, nextUndo: null, nextRedo: null });
    renderWithProviders(<App />);
    await screen.findByTestId("tree-row-drumbo1");
    await waitFor(() => expect(backendMock.historyList).toHaveBeenCalled());
    expect(screen.getByTestId("action-undo")).toBeDisabled();
    expect(screen.getByTestId("action-redo")).toBeDisabled();
  });

  it("Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo, but not while typing in a field", async () => {
    backendMock.historyUndo.mockResolvedValue(outcome());
    backendMock.historyRedo.mockResolvedValue(outcome());
    await openApp();
    fireEvent.keyDown(screen.getByTestId("search-input"), { key: "z", code: "KeyZ", ctrlKey: true });
    expect(backendMock.historyUndo).not.toHaveBeenCalled();

    await act(async () => {
      fireEvent.keyDown(screen.getByTestId("tree-row-drumbo1"), { key: "z", code: "KeyZ", ctrlKey: true });
    });
    await waitFor(() => expect(backendMock.historyUndo).toHaveBeenCalledTimes(1));
    await act(async () => {
      fireEvent.keyDown(document.body, { key: "Z", code: "KeyZ", ctrlKey: true, shiftKey: true });
    });
    await waitFor(() => expect(backendMock.historyRedo).toHaveBeenCalledTimes(1));
    await act(async () => {
      fireEvent.keyDown(document.body, { key: "y", code: "KeyY", ctrlKey: true });
    });
    await waitFor(() => expect(backendMock.historyRedo).toHaveBeenCalledTimes(2));
    expect(screen.queryByTestId("undo-notice")).toBeNull();
    expect(useUi.getState().activity.at(-1)?.text).toBe("Redone: set cloud.type on 3 nodes");
  });

  it("after an undo, says which instances still run and offers to terminate them", async () => {
    backendMock.historyUndo.mockResolvedValue(outcome([{ node: "web/a", instanceId: "i-0abc", region: "us-east-1" }]));
    await openApp();
    await waitFor(() => expect(screen.getByTestId("action-undo")).toBeEnabled());
    fireEvent.click(screen.getByTestId("action-undo"));
    const notice = await screen.findByTestId("undo-notice");
    expect(notice).toHaveTextContent("The instance i-0abc (node web/a, us-east-1) still runs: undo changes the repository only");
    expect(within(notice).getByTestId("undo-terminate")).toHaveTextContent("Terminate it…");
    fireEvent.click(within(notice).getByTestId("undo-terminate"));
    // Asked once, then terminated by id (the repository no longer names the instance).
    expect(notice).toHaveTextContent("Terminate it for good?");
    expect(backendMock.cloudTerminateInstances).not.toHaveBeenCalled();
    backendMock.cloudTerminateInstances.mockResolvedValue(["i-0abc"]);
    fireEvent.click(within(notice).getByTestId("undo-terminate-confirm"));
    await waitFor(() => expect(within(notice).getByTestId("undo-terminated")).toHaveTextContent("Terminating i-0abc"));
    expect(backendMock.cloudTerminateInstances).toHaveBeenCalledWith([{ node: "web/a", instanceId: "i-0abc", region: "us-east-1", launchedHere: true }]);
  });

  it("never offers to terminate instances an import brought in: they ran before it", async () => {
    backendMock.historyUndo.mockResolvedValue(
      outcome([
        { node: "imported/legacy-db", instanceId: "i-0db", region: "us-east-1", launchedHere: false },
        { node: "imported/legacy-web1", instanceId: "i-0w1", region: "us-east-1", launchedHere: false },
      ]),
    );
    await openApp();
    await waitFor(() => expect(screen.getByTestId("action-undo")).toBeEnabled());
    fireEvent.click(screen.getByTestId("action-undo"));
    const notice = await screen.findByTestId("undo-notice");
    expect(within(notice).getByTestId("undo-imported")).toHaveTextContent("The instances i-0db, i-0w1 were imported, not launched here: they keep running and are not affected.");
    expect(within(notice).queryByTestId("undo-terminate")).toBeNull();
    expect(notice).not.toHaveTextContent("still runs");
  });

  it("keeps the instance when the terminate is not confirmed, and shows a refused terminate", async () => {
    backendMock.historyUndo.mockResolvedValue(outcome([{ node: "web/a", instanceId: "i-0abc", region: "us-east-1" }]));
    backendMock.cloudTerminateInstances.mockRejectedValue({ code: "cloud.unauthorized", message: "not allowed to terminate i-0abc" });
    await openApp();
    await waitFor(() => expect(screen.getByTestId("action-undo")).toBeEnabled());
    fireEvent.click(screen.getByTestId("action-undo"));
    const notice = await screen.findByTestId("undo-notice");
    fireEvent.click(within(notice).getByTestId("undo-terminate"));
    fireEvent.click(within(notice).getByTestId("undo-terminate-cancel"));
    expect(within(notice).getByTestId("undo-terminate")).toBeInTheDocument();
    fireEvent.click(within(notice).getByTestId("undo-terminate"));
    fireEvent.click(within(notice).getByTestId("undo-terminate-confirm"));
    expect(await within(notice).findByTestId("undo-terminate-error")).toHaveTextContent(/not allowed to terminate i-0abc/i);
  });

  it("shows why an undo was refused, naming what changed since", async () => {
    backendMock.historyUndo.mockRejectedValue({ code: "history.changed_since", message: "web/a changed since (cloud.type was set by the command line)" });
    await openApp();
    await act(async () => {
      fireEvent.keyDown(document.body, { key: "z", code: "KeyZ", ctrlKey: true });
    });
    const error = await screen.findByTestId("undo-error");
    expect(error).toHaveTextContent("Could not undo");
    expect(error).toHaveTextContent("Web/a changed since (cloud.type was set by the command line)");
  });

  it("does nothing while a dialog is open", async () => {
    await openApp();
    act(() => useUi.setState({ dialog: { kind: "rename", name: "drumbo1" } }));
    fireEvent.keyDown(document.body, { key: "z", code: "KeyZ", ctrlKey: true });
    expect(backendMock.historyUndo).not.toHaveBeenCalled();
  });
});

describe("history panel", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
  });

  it("lists the changes newest first, with time, origin and undone ones greyed; an entry opens to its items", async () => {
    backendMock.historyList.mockResolvedValue(history);
    renderWithProviders(<HistoryPanel />);
    const first = await screen.findByTestId("history-entry-0");
    expect(first).toHaveTextContent("add node web/c");
    expect(first).toHaveAttribute("data-undone", "true");
    expect(screen.getByTestId("history-origin-0")).toHaveTextContent("Command line");
    const second = screen.getByTestId("history-entry-1");
    expect(second).not.toHaveAttribute("data-undone");
    expect(screen.getByTestId("history-origin-1")).toHaveTextContent("App");
    expect(within(second).getByText("5 min ago")).toHaveAttribute("title", new Date(history.entries[1].at).toLocaleString());
    expect(screen.getByTestId("history-entry-2")).toHaveTextContent("3 h ago");

    fireEvent.click(within(second).getByRole("button"));
    const items = screen.getByTestId("history-items-1");
    expect(items).toHaveTextContent("web/a changed");
    expect(items).toHaveTextContent('cloud.type"t3.micro"→"t3.large"');
    expect(items).toHaveTextContent("not set→\"t3.large\"");
    expect(items).toHaveTextContent("and 1 more");

    fireEvent.click(within(screen.getByTestId("history-entry-2")).getByRole("button"));
    expect(screen.getByTestId("history-items-2")).toHaveTextContent("drumbo1 moved → web/drumbo1");
  });

  it("undoes and redoes from its buttons", async () => {
    backendMock.historyList.mockResolvedValue(history);
    backendMock.historyUndo.mockResolvedValue(outcome());
    renderWithProviders(<HistoryPanel />);
    await screen.findByTestId("history-entry-0");
    expect(screen.getByTestId("history-undo")).toHaveAttribute("title", "Undo: set cloud.type on 3 nodes");
    fireEvent.click(screen.getByTestId("history-undo"));
    await waitFor(() => expect(backendMock.historyUndo).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(backendMock.historyList).toHaveBeenCalledTimes(2));
  });

  it("opens from the top bar", async () => {
    await openApp();
    fireEvent.click(screen.getByTestId("action-history"));
    expect(useUi.getState().tab).toBe("history");
    expect(await screen.findByTestId("history-panel")).toBeInTheDocument();
  });
});
