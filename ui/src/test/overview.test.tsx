// The Overview says each fact once: instances by state (terminated as terminated, never as
// launched), by region once, nodes without an instance, missing instances, last errors; every
// count lists its nodes.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { Overview } from "../components/Overview";
import { liveInstances } from "../components/cloud/FleetSection";
import type { FleetOverview } from "../bindings/FleetOverview";
import type { NodeLive } from "../bindings/NodeLive";
import type { InstanceState as StateBadge } from "../bindings/InstanceState";
import { buildModel } from "../lib/treeModel";
import { backendMock, resetBackend } from "./backendMock";
import { ACCOUNT_ID, item, view, wallAccount, wallOf, wallRow } from "./fixtures";
import type { WallAlert } from "../bindings/WallAlert";
import { useUi } from "../lib/store";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

const STATES: StateBadge[] = ["pending", "running", "stopping", "stopped", "shutting-down", "terminated", "unknown"];
const byState = (counts: Partial<Record<StateBadge, number>>) => STATES.map((state) => ({ state, count: counts[state] ?? 0 }));

// drumbo1 runs, drumbo2's instance is terminated, drumbo3 has none; in eu-west-1 db1 runs and
// http1 points at an instance the cloud no longer knows (the backend counts it as unknown).
const tree = view([
  item("drumbo1", "node", { region: "us-east-1", instance: "i-1" }),
  item("drumbo2", "node", { region: "us-east-1", instance: "i-2", cloneOf: "drumbo1" }),
  item("drumbo3", "node", { region: "us-east-1", cloneOf: "drumbo1" }),
  item("web", "system", { childCount: 2 }),
  item("web/db1", "node", { region: "eu-west-1", instance: "i-3" }),
  item("web/http1", "node", { region: "eu-west-1", instance: "i-4" }),
]);

function live(node: string, region: string, instanceId: string | null, state: StateBadge | null, extra: Partial<NodeLive> = {}): NodeLive {
  return {
    node,
    region,
    instanceId,
    state,
    since: null,
    checkedAt: null,
    timeline: [],
    addresses: { host: null, privateIp: null, privateDns: null },
    missing: false,
    lastError: null,
    problems: [],
    operationId: null,
    ...extra,
  };
}

const overview: FleetOverview = {
  nodes: 5,
  withInstance: 4,
  byState: byState({ running: 2, terminated: 1, unknown: 1 }),
  byRegion: [
    { region: "eu-west-1", nodes: 2, instances: 2, byState: [{ state: "running", count: 1 }, { state: "unknown", count: 1 }] },
    { region: "us-east-1", nodes: 3, instances: 2, byState: [{ state: "running", count: 1 }, { state: "terminated", count: 1 }] },
  ],
  noInstance: ["drumbo3"],
  missing: [{ node: "web/http1", instanceId: "i-4", region: "eu-west-1" }],
  transitional: [],
  withProblems: [],
  lastErrors: [
    { at: "2024-05-01T10:05:00Z", severity: "error", node: "web/http1", instanceId: "i-4", code: "cloud.instance_not_found", message: "instance i-4 does not exist", operationId: null },
  ],
  refreshing: false,
};

const listNames = () =>
  within(screen.getByTestId("overview-list"))
    .queryAllByTestId(/^overview-node-/)
    .map((e) => e.getAttribute("data-testid")!.replace("overview-node-", ""));

describe("overview", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    backendMock.fleetOverview.mockResolvedValue(overview);
    backendMock.fleetNodes.mockResolvedValue([
      live("drumbo1", "us-east-1", "i-1", "running"),
      live("drumbo2", "us-east-1", "i-2", "terminated"),
      live("drumbo3", "us-east-1", null, null),
      live("web/db1", "eu-west-1", "i-3", "running"),
      live("web/http1", "eu-west-1", "i-4", "unknown", { missing: true }),
    ]);
  });

  it("counts instances without the terminated and missing ones, derived from the per-state counts", () => {
    expect(liveInstances(byState({ running: 2, terminated: 1, unknown: 1 }), 1)).toBe(2);
    expect(liveInstances(byState({ terminated: 3 }))).toBe(0);
    expect(liveInstances(byState({ pending: 1, stopped: 2 }))).toBe(3);
  });

  it("says each fact once, and terminated as terminated", async () => {
    renderWithProviders(<Overview model={buildModel(tree)} />);
    // Instances: 2 (drumbo1, db1); the terminated one and the missing one are not counted.
    expect(await screen.findByTestId("fleet-instances")).toHaveTextContent("2 instances");
    expect(screen.getByTestId("fleet-instances")).toHaveAttribute("data-count", "2");
    expect(screen.getByTestId("fleet-state-terminated")).toHaveAttribute("data-count", "1");
    expect(screen.getByTestId("fleet-state-terminated")).toHaveTextContent("Terminated1");
    expect(screen.getByTestId("fleet-state-running")).toHaveAttribute("data-count", "2");

    // By region, once, with terminated shown as terminated and not as an instance.
    expect(screen.getAllByText("By region")).toHaveLength(1);
    expect(screen.queryByTestId("overview-regions")).not.toBeInTheDocument();
    const us = screen.getByTestId("fleet-region-us-east-1");
    expect(us).toHaveTextContent("3 nodes · 1 instance");
    expect(us).toHaveAttribute("data-instances", "1");
    expect(screen.getByTestId("fleet-region-us-east-1-terminated")).toHaveTextContent("1 terminated");
    expect(screen.getByTestId("fleet-region-eu-west-1")).toHaveTextContent("2 nodes · 1 instance");

    // "Launched" is no longer a count of its own (it counted the terminated instance too).
    expect(screen.queryByTestId("stat-launched")).not.toBeInTheDocument();
    expect(screen.getByTestId("overview")).not.toHaveTextContent(/\d+ (not )?launched/);
    // Nodes without an instance: once.
    expect(screen.getByTestId("fleet-no-instance-count")).toHaveTextContent("1 node without an instance");
    expect(screen.getAllByText(/without an instance/)).toHaveLength(1);
    // The tree's facts: nodes, systems, clones.
    expect(screen.getByTestId("stat-nodes-value")).toHaveTextContent("5");
    expect(screen.getByTestId("stat-systems-value")).toHaveTextContent("1");
    expect(screen.getByTestId("stat-clones-value")).toHaveTextContent("2");
    // Missing instances and the last errors.
    expect(screen.getByTestId("fleet-missing-count")).toHaveTextContent("1 instance the cloud no longer knows");
    expect(screen.getByTestId("fleet-missing-web/http1")).toBeInTheDocument();
    expect(screen.getByTestId("fleet-errors")).toHaveTextContent("web/http1");
  });

  it("lists the nodes behind each count", async () => {
    renderWithProviders(<Overview model={buildModel(tree)} />);
    await screen.findByTestId("fleet-instances");
    await waitFor(() => expect(within(screen.getByTestId("overview-node-drumbo2")).getByRole("img")).toHaveAttribute("data-state", "terminated"));

    fireEvent.click(screen.getByTestId("fleet-state-terminated"));
    expect(within(screen.getByTestId("overview-list")).getByText("Nodes whose instance is terminated")).toBeInTheDocument();
    expect(listNames()).toEqual(["drumbo2"]);
    expect(screen.getByTestId("fleet-state-terminated")).toHaveAttribute("aria-pressed", "true");

    fireEvent.click(screen.getByTestId("fleet-state-running"));
    expect(listNames()).toEqual(["drumbo1", "web/db1"]);

    // The missing instance is counted as unknown by the backend: the list agrees.
    fireEvent.click(screen.getByTestId("fleet-state-unknown"));
    expect(listNames()).toEqual(["web/http1"]);

    fireEvent.click(screen.getByTestId("region-us-east-1"));
    expect(within(screen.getByTestId("overview-list")).getByText("Nodes in us-east-1")).toBeInTheDocument();
    expect(listNames()).toEqual(["drumbo1", "drumbo2", "drumbo3"]);

    fireEvent.click(screen.getByTestId("facet-not-launched"));
    expect(within(screen.getByTestId("overview-list")).getByText("Nodes without an instance")).toBeInTheDocument();
    expect(listNames()).toEqual(["drumbo3"]);

    // A second click on the same count goes back to every node.
    fireEvent.click(screen.getByTestId("facet-not-launched"));
    expect(listNames()).toHaveLength(5);

    fireEvent.click(screen.getByTestId("stat-clones"));
    expect(listNames()).toEqual(["drumbo2", "drumbo3"]);
  });
});

describe("overview: the fleet wall", () => {
  const alert = (kind: WallAlert["kind"], instanceId: string, node: string | null, text: string, advice: string, due: string | null = null): WallAlert => ({
    kind, accountId: ACCOUNT_ID, region: node === "web/db1" ? "eu-west-1" : "us-east-1", instanceId, node, text, advice, due,
  });
  const alerts = [
    alert("impaired", "i-3", "web/db1", "web/db1 (i-3) fails its instance status check.", "Stop and start it to move it to another host."),
    alert("scheduled-event", "i-1", "drumbo1", "drumbo1 (i-1): instance-retirement from 2026-12-14.", "Stop and start it before then, or reschedule in the EC2 console.", "2026-12-14T09:00:00Z"),
    alert("untracked-running", "i-zzz", null, "i-zzz runs untracked, $70.08 a month.", "Import it as a node, or terminate it."),
  ];

  beforeEach(() => {
    resetUi();
    resetBackend();
    backendMock.fleetOverview.mockResolvedValue(overview);
    backendMock.fleetStatus.mockResolvedValue(
      wallOf([
        wallAccount(
          [
            wallRow("i-1", { system: null, monthly: 7_592_000_000, monthlyText: "$7.59" }, { node: "drumbo1", tracking: "tracked" }),
            wallRow("i-3", { system: "web", impaired: true, monthly: 15_184_000_000, monthlyText: "$15.18", cpuAverage: 40 }, { node: "web/db1", tracking: "tracked", region: "eu-west-1" }),
            wallRow("i-zzz", { monthly: 70_080_000_000, monthlyText: "$70.08" }),
          ],
          [
            { region: "ap-south-1", error: { code: "cloud.unauthorized", message: "You are not authorized to perform DescribeInstanceStatus." } },
            { region: "eu-west-1" },
            { region: "us-east-1" },
          ],
          {
            alerts,
            pricesAsOf: "2026-12-07",
            totals: {
              bySystem: [{ name: "web", monthly: 15_184_000_000, monthlyText: "$15.18", unknownPrice: 1, cpuAverage: 40 }],
              byRegion: [
                { name: "eu-west-1", monthly: 15_184_000_000, monthlyText: "$15.18", unknownPrice: 0, cpuAverage: 40 },
                { name: "us-east-1", monthly: 77_672_000_000, monthlyText: "$77.67", unknownPrice: 0, cpuAverage: null },
              ],
              account: { name: ACCOUNT_ID, monthly: 92_856_000_000, monthlyText: "$92.86", unknownPrice: 1, cpuAverage: 40 },
              unknownPrice: 1,
            },
          },
        ),
      ]),
    );
  });

  it("lists the alerts in the core's words with what to do; a click selects the node or opens the instance's fleet row", async () => {
    renderWithProviders(<Overview model={buildModel(tree)} />);
    const list = await screen.findByTestId("overview-alerts");
    expect(list).toHaveAttribute("data-count", "3");
    const impaired = within(list).getByTestId("overview-alert-impaired-i-3");
    expect(within(impaired).getByTestId("alert-text")).toHaveTextContent("web/db1 (i-3) fails its instance status check.");
    expect(within(impaired).getByTestId("alert-advice")).toHaveTextContent("Stop and start it to move it to another host.");
    const event = within(list).getByTestId("overview-alert-scheduled-event-i-1");
    expect(event).toHaveTextContent("(2026-12-14)");
    expect(within(event).getByTestId("alert-advice")).toHaveTextContent("reschedule in the EC2 console");

    fireEvent.click(impaired);
    expect(useUi.getState().selected).toEqual(["web/db1"]);
    expect(useUi.getState().current).toBe("web/db1");
    fireEvent.click(event);
    expect(useUi.getState().selected).toEqual(["drumbo1"]);

    // An untracked instance has no node: its row in the Fleet tab is the link.
    fireEvent.click(within(list).getByTestId("overview-alert-untracked-running-i-zzz"));
    expect(useUi.getState().tab).toBe("fleet");
    expect(useUi.getState().fleetFocus).toBe("i-zzz");
  });

  it("shows a region that failed in its place, and the monthly cost per system and account with the prices' day", async () => {
    renderWithProviders(<Overview model={buildModel(tree)} />);
    expect(await screen.findByTestId("overview-region-error-ap-south-1")).toHaveTextContent("not authorized to perform DescribeInstanceStatus");
    // The other regions' alerts and costs show regardless.
    expect(screen.getByTestId("overview-alert-impaired-i-3")).toBeInTheDocument();
    expect(screen.getByTestId(`overview-cost-total-${ACCOUNT_ID}`)).toHaveTextContent("$92.86");
    expect(screen.getByTestId("overview-cost-system-web-monthly")).toHaveTextContent("$15.18");
    expect(screen.getByTestId("overview-cost-system-web")).toHaveTextContent("+ 1 unknown");
    expect(screen.getByTestId("overview-cost-system-web")).toHaveTextContent("CPU 40%");
    expect(screen.getByTestId("overview-cost-region-us-east-1")).toHaveTextContent("$77.67");
    expect(screen.getByTestId("overview-prices-as-of")).toHaveTextContent("prices as of 2026-12-07");
  });

  it("says nothing needs attention when the wall found nothing, and nothing at all before a region is asked", async () => {
    backendMock.fleetStatus.mockResolvedValue(wallOf([wallAccount([wallRow("i-1")], [{ region: "us-east-1" }])]));
    const { unmount } = renderWithProviders(<Overview model={buildModel(tree)} />);
    expect(await screen.findByTestId("overview-alerts-none")).toBeInTheDocument();
    unmount();
    resetBackend();
    backendMock.fleetOverview.mockResolvedValue(overview);
    renderWithProviders(<Overview model={buildModel(tree)} />);
    await screen.findByTestId("fleet-instances");
    await waitFor(() => expect(backendMock.fleetStatus).toHaveBeenCalled());
    expect(screen.queryByTestId("overview-alerts")).not.toBeInTheDocument();
    expect(screen.queryByTestId("overview-costs")).not.toBeInTheDocument();
  });
});
