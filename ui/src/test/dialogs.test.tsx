import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { NodesDialog, cloneDefaults } from "../components/dialogs/NodesDialog";
import { DeleteDialog, NewSystemDialog, RenameDialog, describeDelete } from "../components/dialogs/SimpleDialogs";
import { BackendError } from "../lib/backend";
import type { NodesRequest } from "../bindings/NodesRequest";
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

const model = buildModel(demoTree);

/** A planNodes fake that expands {id} like the backend and marks existing names. */
function fakePlan(request: NodesRequest) {
  const m = /^(\d+)(?:\.\.(\d+))?$/.exec(request.count || "1");
  if (!m) return Promise.reject(new BackendError({ code: "input.invalid_range", message: `invalid range: '${request.count}' (use N or N..M)` }));
  const [from, to] = m[2] ? [Number(m[1]), Number(m[2])] : [1, Number(m[1])];
  const nodes = [];
  for (let id = from; id <= to; id++) {
    const name = request.template.replace(/\{id(?::0(\d))?\}/, (_x, pad) => String(id).padStart(Number(pad ?? 0), "0"));
    nodes.push({ name, host: "", clash: model.byName.has(name) ? `node '${name}' already exists` : null });
  }
  return Promise.resolve({ parent: request.parent, nodes });
}

describe("clone dialog", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    backendMock.planNodes.mockImplementation(fakePlan);
  });

  it("suggests a template and range that continue the parent's name", () => {
    expect(cloneDefaults("drumbo1")).toEqual({ template: "drumbo{id}", count: "2..4" });
    expect(cloneDefaults("webshop/frontend/http01")).toEqual({ template: "http{id:02}", count: "2..4" });
    expect(cloneDefaults("web/http02", ["web/http01", "web/http02", "web/http03", "web/db7"])).toEqual({ template: "http{id:02}", count: "4..6" });
    expect(cloneDefaults("db")).toEqual({ template: "db{id}", count: "1..3" });
  });

  it("lists the names live, marks clashes and will not create them", async () => {
    renderWithProviders(<NodesDialog mode="clone" model={model} initialParent="drumbo1" />);
    // The suggestion continues after the highest sibling: no clash.
    expect(screen.getByTestId("nodes-count")).toHaveValue("4..6");
    await userEvent.clear(screen.getByTestId("nodes-count"));
    await userEvent.type(screen.getByTestId("nodes-count"), "2..4");
    expect(await screen.findByTestId("preview-row-drumbo2")).toBeInTheDocument();
    expect(screen.getByTestId("preview-row-drumbo2")).toHaveAttribute("data-clash", "true");
    expect(screen.getByTestId("preview-row-drumbo2")).toHaveTextContent("node 'drumbo2' already exists");
    expect(screen.getByTestId("preview-row-drumbo4")).not.toHaveAttribute("data-clash");
    expect(screen.getByTestId("nodes-blocker")).toHaveTextContent("2 of these names exist already.");
    expect(screen.getByTestId("nodes-submit")).toBeDisabled();

    const count = screen.getByTestId("nodes-count");
    await userEvent.clear(count);
    await userEvent.type(count, "4..6");
    await waitFor(() => expect(screen.getByTestId("preview-row-drumbo6")).toBeInTheDocument());
    await waitFor(() => expect(screen.getByTestId("nodes-submit")).toBeEnabled());
    expect(screen.getByTestId("nodes-submit")).toHaveTextContent("Create 3 nodes");
    expect(backendMock.addNodes).not.toHaveBeenCalled();

    backendMock.addNodes.mockResolvedValue(["drumbo4", "drumbo5", "drumbo6"]);
    await userEvent.click(screen.getByTestId("nodes-submit"));
    await waitFor(() => expect(backendMock.addNodes).toHaveBeenCalledTimes(1));
    expect(backendMock.addNodes).toHaveBeenCalledWith({ template: "drumbo{id}", count: "4..6", host: null, parent: "drumbo1", copy: true });
    // The family stays selected with its parent, so Launch covers all of it.
    await waitFor(() => expect(useUi.getState().selected).toEqual(["drumbo1", "drumbo4", "drumbo5", "drumbo6"]));
  });

  it("shows an invalid range next to the count field", async () => {
    renderWithProviders(<NodesDialog mode="clone" model={model} initialParent="webshop/frontend/http01" />);
    const count = screen.getByTestId("nodes-count");
    await userEvent.clear(count);
    await userEvent.type(count, "5..x");
    expect(await screen.findByTestId("nodes-count-error")).toHaveTextContent("Invalid range: '5..x'");
    expect(screen.getByTestId("nodes-submit")).toBeDisabled();
    expect(screen.getByTestId("nodes-template")).toHaveValue("http{id:02}");
  });

  it("creates the node when Enter comes before the name check answers", async () => {
    // The check answers only when the test says so, as a slow backend would.
    const waiting: (() => void)[] = [];
    const answer = () => waiting.splice(0).forEach((resolve) => resolve());
    backendMock.planNodes.mockImplementation((request: NodesRequest) => new Promise((resolve) => waiting.push(() => resolve(fakePlan(request)))));
    backendMock.addNodes.mockResolvedValue(["drumbo9"]);
    renderWithProviders(<NodesDialog mode="new" model={model} />);
    await userEvent.type(screen.getByTestId("nodes-template"), "drumbo9{Enter}");
    expect(backendMock.addNodes).not.toHaveBeenCalled();
    expect(screen.getByTestId("nodes-blocker")).toHaveTextContent("Checking the names…");
    await waitFor(() => {
      answer();
      expect(backendMock.addNodes).toHaveBeenCalledTimes(1);
    });
    expect(backendMock.addNodes).toHaveBeenCalledWith({ template: "drumbo9", count: "", host: null, parent: null, copy: false });
  });

  it("drops an early Enter when the check then finds a clash", async () => {
    const waiting: (() => void)[] = [];
    const answer = () => waiting.splice(0).forEach((resolve) => resolve());
    backendMock.planNodes.mockImplementation((request: NodesRequest) => new Promise((resolve) => waiting.push(() => resolve(fakePlan(request)))));
    renderWithProviders(<NodesDialog mode="new" model={model} />);
    await userEvent.type(screen.getByTestId("nodes-template"), "drumbo1{Enter}");
    // Every check asked so far answers, until the one for the whole name has.
    await waitFor(() => {
      answer();
      expect(screen.getByTestId("nodes-blocker")).toHaveTextContent("1 of these names exists already.");
    });
    expect(backendMock.addNodes).not.toHaveBeenCalled();
  });

  it("keeps what was typed when creating fails", async () => {
    backendMock.addNodes.mockRejectedValue(new BackendError({ code: "io", message: "/tmp/repo/system/web9: permission denied" }));
    renderWithProviders(<NodesDialog mode="new" model={model} initialSystem="webshop" />);
    await userEvent.type(screen.getByTestId("nodes-template"), "web9");
    await waitFor(() => expect(screen.getByTestId("nodes-submit")).toBeEnabled());
    await userEvent.click(screen.getByTestId("nodes-submit"));
    expect(await screen.findByTestId("nodes-error")).toHaveTextContent("permission denied");
    expect(screen.getByTestId("nodes-error")).toHaveTextContent("Check that the folder exists and that you may write to it.");
    expect(screen.getByTestId("nodes-template")).toHaveValue("web9");
    expect(backendMock.addNodes).toHaveBeenCalledWith({ template: "webshop/web9", count: "", host: null, parent: null, copy: false });
  });
});

describe("delete dialog", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
  });

  it("says exactly what it deletes", () => {
    expect(describeDelete(model, "webshop")).toBe("The system webshop with 2 systems and 3 nodes inside it.");
    expect(describeDelete(model, "drumbo1")).toBe(
      "The node drumbo1. It has instance i-4c92cd21: the instance keeps running in the cloud; only the node's files are removed.",
    );
  });

  it("names the clones that lose their parent, and deletes on confirmation only", async () => {
    backendMock.removeItem.mockResolvedValue(["drumbo2", "drumbo3"]);
    renderWithProviders(<DeleteDialog model={model} names={["drumbo1"]} />);
    expect(screen.getByTestId("delete-summary")).toHaveTextContent("The node drumbo1.");
    expect(screen.getByTestId("delete-orphans")).toHaveTextContent("drumbo2, drumbo3 were cloned from what you delete");
    expect(backendMock.removeItem).not.toHaveBeenCalled();
    await userEvent.click(screen.getByTestId("delete-confirm"));
    await waitFor(() => expect(backendMock.removeItem).toHaveBeenCalledWith("drumbo1"));
  });

  it("deletes a system once, not the items inside it again", async () => {
    backendMock.removeItem.mockResolvedValue([]);
    renderWithProviders(<DeleteDialog model={model} names={["webshop", "webshop/frontend/http01"]} />);
    expect(screen.getByTestId("delete-confirm")).toHaveTextContent("Delete 6 items");
    await userEvent.click(screen.getByTestId("delete-confirm"));
    await waitFor(() => expect(backendMock.removeItem).toHaveBeenCalledTimes(1));
    expect(backendMock.removeItem).toHaveBeenCalledWith("webshop");
  });

  it("shows a failure in words and keeps the dialog open", async () => {
    backendMock.removeItem.mockRejectedValue(new BackendError({ code: "repo.not_found", message: "node 'drumbo1' does not exist" }));
    useUi.setState({ dialog: { kind: "delete", names: ["drumbo1"] } });
    renderWithProviders(<DeleteDialog model={model} names={["drumbo1"]} />);
    await userEvent.click(screen.getByTestId("delete-confirm"));
    expect(await screen.findByTestId("delete-error")).toHaveTextContent("Node 'drumbo1' does not exist");
    expect(screen.getByTestId("delete-error")).toHaveTextContent("It may have been renamed or removed");
    expect(useUi.getState().dialog).not.toBeNull();
  });
});

describe("new system and rename", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
  });

  it("asks the core about the name as you type and shows its answer under the field", async () => {
    backendMock.checkName.mockImplementation(async (name: string) =>
      name === "webshop/frontend"
        ? { code: "repo.already_exists", message: "system 'webshop/frontend' already exists" }
        : name.includes(":")
          ? { code: "input.invalid_name", message: `invalid name '${name}': ':' is not allowed in a name` }
          : null,
    );
    renderWithProviders(<NewSystemDialog model={model} initialParent="webshop" />);
    await userEvent.type(screen.getByTestId("system-name"), "frontend");
    expect(await screen.findByTestId("system-name-error")).toHaveTextContent("System 'webshop/frontend' already exists");
    expect(backendMock.checkName).toHaveBeenLastCalledWith("webshop/frontend", null);
    expect(screen.getByTestId("system-submit")).toBeDisabled();
    await userEvent.clear(screen.getByTestId("system-name"));
    await userEvent.type(screen.getByTestId("system-name"), "a:b");
    await waitFor(() => expect(screen.getByTestId("system-name-error")).toHaveTextContent("':' is not allowed in a name"));
    await userEvent.clear(screen.getByTestId("system-name"));
    await userEvent.type(screen.getByTestId("system-name"), "cache");
    await waitFor(() => expect(screen.queryByTestId("system-name-error")).toBeNull());
    backendMock.addSystem.mockResolvedValue(null);
    await userEvent.click(screen.getByTestId("system-submit"));
    await waitFor(() => expect(backendMock.addSystem).toHaveBeenCalledWith("webshop/cache"));
  });

  it("asks the core whether the item can take the new name", async () => {
    backendMock.checkName.mockImplementation(async (name: string, from: string | null) =>
      name === "drumbo2" && from === "drumbo1" ? { code: "repo.already_exists", message: "node 'drumbo2' already exists" } : null,
    );
    renderWithProviders(<RenameDialog model={model} name="drumbo1" />);
    expect(screen.getByTestId("rename-submit")).toBeDisabled();
    await userEvent.clear(screen.getByTestId("rename-name"));
    await userEvent.type(screen.getByTestId("rename-name"), "drumbo2");
    expect(await screen.findByTestId("rename-name-error")).toHaveTextContent("Node 'drumbo2' already exists");
    expect(screen.getByTestId("rename-submit")).toBeDisabled();
    await userEvent.type(screen.getByTestId("rename-name"), "0");
    await waitFor(() => expect(screen.queryByTestId("rename-name-error")).toBeNull());
    expect(backendMock.checkName).toHaveBeenLastCalledWith("drumbo20", "drumbo1");
    expect(screen.getByTestId("rename-submit")).toBeEnabled();
  });

  it("moves a node to another system", async () => {
    backendMock.renameItem.mockResolvedValue(null);
    renderWithProviders(<RenameDialog model={model} name="webshop/frontend/http01" />);
    expect(screen.getByText(/1 node cloned from it will point to the new name/)).toBeInTheDocument();
    fireEvent.change(screen.getByTestId("rename-system"), { target: { value: "webshop/backend" } });
    expect(screen.getByTestId("rename-submit")).toHaveTextContent("Move");
    await userEvent.click(screen.getByTestId("rename-submit"));
    await waitFor(() => expect(backendMock.renameItem).toHaveBeenCalledWith("webshop/frontend/http01", "webshop/backend/http01"));
  });
});
