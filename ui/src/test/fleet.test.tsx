// The Fleet tab: the account's instances grouped, sorted and filtered; untracked ones imported
// after a preview of their names; drift marked on the row and listed.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { FleetTable, uptime } from "../components/cloud/FleetTable";
import type { AccountInstance } from "../bindings/AccountInstance";
import { backendMock, resetBackend } from "./backendMock";
import { useUi } from "../lib/store";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

function instance(id: string, over: Partial<AccountInstance> = {}): AccountInstance {
  return {
    id, region: "us-east-1", state: "running", tracking: "untracked", node: null, name: null, instanceType: "t3.micro",
    zone: "us-east-1a", launchTime: null, publicAddress: null, privateIp: "10.0.0.1", keyPair: "kp", image: "ami-1", ...over,
  };
}

const rowIds = () => screen.getAllByTestId(/^fleet-row-/).map((r) => r.getAttribute("data-testid")!.replace("fleet-row-", ""));

describe("fleet table", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    backendMock.accountInstances.mockResolvedValue([
      instance("i-aaa", { tracking: "tracked", node: "web1", instanceType: "t3.large" }),
      instance("i-bbb", { name: "legacy-db", instanceType: "m5.large" }),
      instance("i-ccc", { tracking: "otherRepository", name: "theirs" }),
    ]);
    backendMock.cloudDrift.mockResolvedValue([{ node: "web1", instanceId: "i-aaa", field: "instanceType", nodeValue: "t3.micro", instanceValue: "t3.large" }]);
  });

  it("groups, sorts and filters the account's instances and marks drift", async () => {
    renderWithProviders(<FleetTable />);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    expect(screen.getByTestId("fleet-row-i-aaa")).toHaveAttribute("data-tracking", "tracked");
    expect(screen.getByTestId("fleet-drift-i-aaa")).toHaveTextContent("1");
    expect(screen.getByTestId("drift-web1-instanceType")).toHaveTextContent("instance i-aaa has t3.large");
    expect(screen.getByTestId("fleet-count")).toHaveTextContent("3 of 3 instances in us-east-1");

    await userEvent.click(screen.getByTestId("fleet-sort-type"));
    expect(rowIds()).toEqual(["i-bbb", "i-aaa", "i-ccc"]); // m5.large, t3.large, t3.micro
    await userEvent.click(screen.getByTestId("fleet-sort-type"));
    expect(rowIds()).toEqual(["i-ccc", "i-aaa", "i-bbb"]);

    await userEvent.selectOptions(screen.getByTestId("fleet-tracking"), "untracked");
    expect(rowIds()).toEqual(["i-bbb"]);
    await userEvent.selectOptions(screen.getByTestId("fleet-tracking"), "all");
    await userEvent.type(screen.getByTestId("fleet-filter"), "theirs");
    expect(rowIds()).toEqual(["i-ccc"]);
  });

  it("picking tracked rows selects their nodes for the action bar", async () => {
    renderWithProviders(<FleetTable />);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    await userEvent.click(screen.getByTestId("fleet-pick-i-aaa"));
    expect(useUi.getState().selected).toEqual(["web1"]);
    await userEvent.click(screen.getByTestId("fleet-pick-i-bbb")); // untracked: for importing only
    expect(useUi.getState().selected).toEqual(["web1"]);
    expect(screen.getByTestId("fleet-import")).toHaveTextContent("Import 1 as nodes");
  });

  it("keeps a window of rows at 10,000 instances, sorted across all of them", async () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      instance(`i-${String(i).padStart(5, "0")}`, { instanceType: i === 7777 ? "a1.medium" : "t3.micro" }),
    );
    backendMock.accountInstances.mockResolvedValue(many);
    renderWithProviders(<FleetTable />);
    await waitFor(() => expect(screen.getByTestId("fleet-count")).toHaveTextContent("10000 of 10000"));
    const shown = rowIds().length;
    expect(shown).toBeGreaterThan(5);
    expect(shown).toBeLessThan(100); // virtualized: only the rows in view are in the page
    await userEvent.click(screen.getByTestId("fleet-sort-type"));
    expect(rowIds()[0]).toBe("i-07777"); // the one a1.medium, found among 10,000
    await userEvent.type(screen.getByTestId("fleet-filter"), "i-0999");
    expect(rowIds()).toEqual(["i-09990", "i-09991", "i-09992", "i-09993", "i-09994", "i-09995", "i-09996", "i-09997", "i-09998", "i-09999"]);
  });

  it("imports the picked untracked instances after showing their names", async () => {
    backendMock.importPreview.mockResolvedValue([{ name: "imported/legacy-db", instanceId: "i-bbb", renamedFrom: null }]);
    backendMock.importInstances.mockResolvedValue(["imported/legacy-db"]);
    renderWithProviders(<FleetTable />);
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    expect(screen.getByTestId("fleet-import")).toBeDisabled();
    await userEvent.click(screen.getByTestId("fleet-pick-i-bbb"));
    await userEvent.click(screen.getByTestId("fleet-pick-i-ccc")); // another repository's: not imported
    await userEvent.click(screen.getByTestId("fleet-import"));
    const dialog = await screen.findByTestId("import-dialog");
    await waitFor(() => expect(within(dialog).getByTestId("import-row-i-bbb")).toHaveTextContent("imported/legacy-db"));
    expect(backendMock.importInstances).not.toHaveBeenCalled();
    await userEvent.click(within(dialog).getByTestId("import-tag"));
    await userEvent.click(within(dialog).getByTestId("import-confirm"));
    await waitFor(() => expect(backendMock.importInstances).toHaveBeenCalledWith({ region: "us-east-1", instanceIds: ["i-bbb"], into: "imported", tag: true }));
    await waitFor(() => expect(screen.queryByTestId("import-dialog")).not.toBeInTheDocument());
  });

  it("says how long an instance has run", () => {
    const now = Date.parse("2026-12-02T12:00:00Z");
    expect(uptime("2026-12-02T11:48:00Z", now)).toBe("12m");
    expect(uptime("2026-12-02T06:58:00Z", now)).toBe("5h 2m");
    expect(uptime("2026-11-28T08:00:00Z", now)).toBe("4d 4h");
    expect(uptime(null, now)).toBe("");
  });
});
