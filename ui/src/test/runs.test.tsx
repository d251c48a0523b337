import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import type { CopyRequest } from "../bindings/CopyRequest";
import type { NodeRun } from "../bindings/NodeRun";
import type { RunEvent } from "../bindings/RunEvent";
import type { RunRecord } from "../bindings/RunRecord";
import type { RunRequest } from "../bindings/RunRequest";
import { useUi } from "../lib/store";
import { backendMock, resetBackend } from "./backendMock";
import type { FakeChannel } from "./fakeChannel";
import { demoTree, detail } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  const none = () => Promise.resolve(() => {});
  return {
    ...actual,
    backend: backendMock,
    events: { onRepoChanged: none, onCloudEvent: none, onOperationProgress: none, onOperationFinished: none, onFleetChanged: none },
  };
});

const WEB = ["webshop/backend/db1", "webshop/frontend/http01", "webshop/frontend/http02"];

function nodeRun(node: string, extra: Partial<NodeRun> = {}): NodeRun {
  return { node, host: "203.0.113.7", state: "waiting", exitStatus: null, error: null, durationMs: 0, output: "", truncated: false, ...extra };
}

function record(id: string, command: string, nodes: NodeRun[], extra: Partial<RunRecord> = {}): RunRecord {
  return { id, kind: "command", command, startedAt: "2026-05-01T10:00:00Z", finishedAt: null, nodes, groups: [], ...extra };
}

const row = (node: string) => screen.getAllByTestId("run-row").find((r) => r.getAttribute("data-node") === node)!;

/** The App, with the tree's menu of `name` open. */
async function menuOf(name: string) {
  fireEvent.contextMenu(await screen.findByTestId(`tree-row-${name}`));
  return within(await screen.findByTestId("tree-menu"));
}

describe("Run command and Copy files", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    backendMock.loadTree.mockResolvedValue(demoTree);
    backendMock.getItem.mockImplementation(async (name: string) => detail(name, {}));
  });

  it("runs a command on a system's nodes, follows its events in the grid, groups the outputs and reruns the failed", async () => {
    renderWithProviders(<App />);
    fireEvent.click((await menuOf("webshop")).getByTestId("run-command-open"));
    const panel = await screen.findByTestId("run-panel");
    expect(screen.getByTestId("run-tab")).toHaveTextContent("Run · system webshop");
    expect(within(panel).getByTestId("run-nodes")).toHaveTextContent("db1");

    // Started before the start's answer: the event waits for the record.
    let events!: FakeChannel<RunEvent>;
    let answer!: (r: RunRecord) => void;
    backendMock.runCommand.mockImplementationOnce((_req: RunRequest, ch: FakeChannel<RunEvent>) => {
      events = ch;
      return new Promise<RunRecord>((resolve) => (answer = resolve));
    });
    expect(screen.getByTestId("run-command-start")).toBeDisabled();
    fireEvent.change(screen.getByTestId("run-command-input"), { target: { value: "uptime" } });
    fireEvent.change(screen.getByTestId("run-stop-after"), { target: { value: "2" } });
    fireEvent.click(screen.getByTestId("run-command-start"));
    await waitFor(() => expect(backendMock.runCommand).toHaveBeenCalled());
    expect(backendMock.runCommand.mock.calls[0][0]).toEqual({ nodes: WEB, command: "uptime", concurrency: 20, stopAfterFailures: 2 });

    events.send({ kind: "started", index: 0 });
    await act(async () => answer(record("r1", "uptime", WEB.map((n) => nodeRun(n)))));
    expect(row(WEB[0])).toHaveAttribute("data-state", "running");
    expect(row(WEB[1])).toHaveAttribute("data-state", "waiting");

    events.send({ kind: "output", index: 0, text: "line 1\nline 2\n" });
    events.send({ kind: "output", index: 0, text: "line 3\nline 4\n" });
    const out = within(row(WEB[0])).getByTestId("run-output");
    expect(out.textContent).toBe("line 2\nline 3\nline 4");

    // Cancel while it goes.
    fireEvent.click(screen.getByTestId("run-command-cancel"));
    await waitFor(() => expect(backendMock.runCancel).toHaveBeenCalledWith("r1"));

    events.send({ kind: "finished", index: 0, node: nodeRun(WEB[0], { state: "succeeded", exitStatus: 0, durationMs: 1200, output: "up 3 days\n" }) });
    expect(row(WEB[0])).toHaveAttribute("data-state", "succeeded");
    expect(within(row(WEB[0])).getByTestId("run-exit")).toHaveTextContent("0");
    expect(within(row(WEB[0])).getByTestId("run-duration")).toHaveTextContent("1.2 s");

    const final = record("r1", "uptime", [
      nodeRun(WEB[0], { state: "succeeded", exitStatus: 0, durationMs: 1200, output: "up 3 days\nload 0.1\n" }),
      nodeRun(WEB[1], { state: "succeeded", exitStatus: 0, durationMs: 900, output: "up 3 days\nload 0.1\n" }),
      nodeRun(WEB[2], { state: "failed", exitStatus: 3, durationMs: 700, output: "up 3 days\nload 0.9\ndisk full\n" }),
    ], {
      finishedAt: "2026-05-01T10:00:02Z",
      groups: [
        { members: [0, 1], output: "up 3 days\nload 0.1\n", exitStatus: 0 },
        { members: [2], output: "up 3 days\nload 0.9\ndisk full\n", exitStatus: 3 },
      ],
    });
    events.send({ kind: "done", run: final });
    expect(row(WEB[2])).toHaveAttribute("data-state", "failed");
    expect(within(row(WEB[2])).getByTestId("run-exit")).toHaveTextContent("3");
    expect(screen.queryByTestId("run-command-cancel")).toBeNull();

    const groups = screen.getAllByTestId("run-group");
    expect(groups.map((g) => g.getAttribute("data-count"))).toEqual(["2", "1"]);
    expect(within(groups[0]).getByTestId("run-group-title")).toHaveTextContent("2 nodes: same output, exit status 0");
    expect(within(groups[0]).getByTestId("run-group-members")).toHaveTextContent("webshop/backend/db1, webshop/frontend/http01");
    expect(within(groups[1]).getByTestId("run-group-members")).toHaveTextContent("webshop/frontend/http02");
    fireEvent.click(within(groups[1]).getByTestId("run-group-toggle"));
    expect(within(groups[1]).getByTestId("run-group-output")).toHaveTextContent("disk full");
    fireEvent.click(within(groups[1]).getByTestId("run-group-compare"));
    const diff = within(groups[1]).getByTestId("run-group-diff");
    expect([...diff.querySelectorAll("[data-kind]")].map((l) => `${l.getAttribute("data-kind")}:${l.textContent?.slice(2)}`)).toEqual([
      "same:up 3 days",
      "removed:load 0.1",
      "added:load 0.9",
      "added:disk full",
    ]);
    // The biggest group is the reference: it compares with nothing.
    expect(within(groups[0]).queryByTestId("run-group-compare")).toBeNull();

    backendMock.runCommand.mockResolvedValueOnce(record("r2", "uptime", [nodeRun(WEB[2])]));
    fireEvent.click(screen.getByTestId("run-rerun-failed"));
    await waitFor(() => expect(backendMock.runCommand).toHaveBeenCalledTimes(2));
    expect(backendMock.runCommand.mock.calls[1][0]).toEqual({ nodes: [WEB[2]], command: "uptime", concurrency: 20, stopAfterFailures: 2 });
    await waitFor(() => expect(screen.getAllByTestId("run-row")).toHaveLength(1));
    expect(screen.queryByTestId("run-group")).toBeNull();
  });

  it("shows why a run could not start, and why a node was skipped", async () => {
    renderWithProviders(<App />);
    act(() => useUi.getState().select(["drumbo1", "drumbo2"], "drumbo2"));
    fireEvent.click(await within(await screen.findByTestId("inspector")).findByTestId("run-command-open"));
    expect(await screen.findByTestId("run-tab")).toHaveTextContent("Run · 2 nodes");
    fireEvent.change(screen.getByTestId("run-command-input"), { target: { value: "true" } });
    fireEvent.change(screen.getByTestId("run-concurrency"), { target: { value: "0" } });
    expect(screen.getByTestId("run-command-start")).toBeDisabled();
    fireEvent.change(screen.getByTestId("run-concurrency"), { target: { value: "5" } });
    fireEvent.change(screen.getByTestId("run-timeout"), { target: { value: "30" } });

    backendMock.runCommand.mockRejectedValueOnce({ code: "remote.sandbox", message: "'drumbo1' runs in the practice sandbox" });
    fireEvent.click(screen.getByTestId("run-command-start"));
    expect(await screen.findByTestId("run-error")).toHaveTextContent("practice sandbox");
    expect(backendMock.runCommand.mock.calls[0][0]).toEqual({ nodes: ["drumbo1", "drumbo2"], command: "true", concurrency: 5, timeoutSeconds: 30 });

    backendMock.runCommand.mockResolvedValueOnce(
      record("r3", "true", [nodeRun("drumbo1"), nodeRun("drumbo2", { state: "skipped", host: null, error: { code: "node.no_address", message: "'drumbo2' has no address to connect to: launch it first" } })]),
    );
    fireEvent.click(screen.getByTestId("run-command-start"));
    await waitFor(() => expect(row("drumbo2")).toHaveAttribute("data-state", "skipped"));
    expect(within(row("drumbo2")).getByTestId("run-node-error")).toHaveTextContent("has no address to connect to");
    expect(within(row("drumbo2")).getByTestId("run-node-error")).toHaveAttribute("data-code", "node.no_address");
    // The refusal before was of the run before.
    expect(screen.queryByTestId("run-error")).toBeNull();
  });

  it("reopens a past run read-only, and runs it again", async () => {
    backendMock.runsList.mockResolvedValue([
      { id: "old", kind: "command", command: "df -h", startedAt: "2026-04-30T09:00:00Z", finishedAt: "2026-04-30T09:00:03Z", nodes: 2, failed: 1 },
    ]);
    backendMock.runGet.mockResolvedValue(
      record("old", "df -h", [nodeRun("drumbo1", { state: "succeeded", exitStatus: 0, output: "/dev/root 40%\n" }), nodeRun("drumbo3", { state: "failed", exitStatus: 1, output: "df: error\n" })], {
        finishedAt: "2026-04-30T09:00:03Z",
        groups: [
          { members: [0], output: "/dev/root 40%\n", exitStatus: 0 },
          { members: [1], output: "df: error\n", exitStatus: 1 },
        ],
      }),
    );
    renderWithProviders(<App />);
    fireEvent.click((await menuOf("drumbo1")).getByTestId("run-command-open"));
    const past = await screen.findByTestId("past-run");
    expect(past).toHaveTextContent("df -h");
    expect(past).toHaveTextContent("1 failed");
    fireEvent.click(past);
    expect(await screen.findByTestId("past-run-command")).toHaveTextContent("df -h");
    expect(backendMock.runGet).toHaveBeenCalledWith("old");
    expect(screen.queryByTestId("run-command-input")).toBeNull();
    expect(row("drumbo3")).toHaveAttribute("data-state", "failed");
    expect(within(row("drumbo1")).getByTestId("run-output")).toHaveTextContent("/dev/root 40%");
    expect(screen.getAllByTestId("run-group")).toHaveLength(2);

    backendMock.runCommand.mockResolvedValueOnce(record("new", "df -h", [nodeRun("drumbo1"), nodeRun("drumbo3")]));
    fireEvent.click(screen.getByTestId("run-again"));
    await waitFor(() => expect(backendMock.runCommand).toHaveBeenCalled());
    expect(backendMock.runCommand.mock.calls[0][0]).toEqual({ nodes: ["drumbo1", "drumbo3"], command: "df -h", concurrency: 20 });
    expect(screen.getByTestId("run-command-input")).toHaveValue("df -h");
    expect(screen.queryByTestId("past-run-shown")).toBeNull();
  });

  it("copies files to a node, with per-node progress", async () => {
    renderWithProviders(<App />);
    act(() => useUi.getState().select(["drumbo1"], "drumbo1"));
    fireEvent.click(await within(await screen.findByTestId("inspector")).findByTestId("copy-files-open"));
    expect(await screen.findByTestId("run-panel")).toHaveAttribute("data-mode", "copy");
    expect(screen.getByTestId("copy-start")).toBeDisabled();
    fireEvent.change(screen.getByTestId("copy-source-input"), { target: { value: "/home/me/site" } });
    fireEvent.keyDown(screen.getByTestId("copy-source-input"), { key: "Enter" });
    expect(screen.getByTestId("copy-sources")).toHaveTextContent("/home/me/site");
    fireEvent.change(screen.getByTestId("copy-destination"), { target: { value: "/srv/www" } });
    fireEvent.click(screen.getByTestId("copy-create"));

    let events!: FakeChannel<RunEvent>;
    backendMock.copyFiles.mockImplementationOnce(async (_req: CopyRequest, ch: FakeChannel<RunEvent>) => {
      events = ch;
      return record("c1", "/home/me/site -> /srv/www", [nodeRun("drumbo1")], { kind: "copy" });
    });
    fireEvent.click(screen.getByTestId("copy-start"));
    await waitFor(() => expect(backendMock.copyFiles).toHaveBeenCalled());
    expect(backendMock.copyFiles.mock.calls[0][0]).toEqual({ nodes: ["drumbo1"], sources: ["/home/me/site"], destination: "/srv/www", createDestination: true });
    await screen.findByTestId("run-row");
    events.send({ kind: "started", index: 0 });
    events.send({ kind: "output", index: 0, text: "site/index.html 12 KB\n" });
    expect(within(row("drumbo1")).getByTestId("run-output")).toHaveTextContent("site/index.html 12 KB");
    events.send({
      kind: "done",
      run: record("c1", "/home/me/site -> /srv/www", [nodeRun("drumbo1", { state: "succeeded", exitStatus: null, output: "site/index.html 12 KB\n" })], { kind: "copy", finishedAt: "2026-05-01T10:00:05Z" }),
    });
    expect(row("drumbo1")).toHaveAttribute("data-state", "succeeded");
  });
});
