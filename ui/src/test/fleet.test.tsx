// The Fleet tab: the account's instances grouped, sorted and filtered; untracked ones imported
// after a preview of their names; drift marked on the row and listed; health, load and cost per
// row (checks, events, a CPU sparkline, prices or "unknown"); a region that fails shown in its
// place while the others' rows show.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { FleetTable, uptime } from "../components/cloud/FleetTable";
import type { AccountInstance } from "../bindings/AccountInstance";
import type { WallRow } from "../bindings/WallRow";
import { backendMock, resetBackend } from "./backendMock";
import { wallAccount, wallOf, wallRow } from "./fixtures";
import { useUi } from "../lib/store";
import { sortOrder, sparklinePoints } from "../lib/wall";
import { renderWithProviders, resetUi } from "./render";

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

function instance(id: string, over: Partial<AccountInstance> = {}, row: Partial<WallRow> = {}): WallRow {
  return wallRow(id, row, over);
}

/** The backend's wall with these rows, all in us-east-1. */
function serve(rows: WallRow[]) {
  backendMock.fleetStatus.mockResolvedValue(wallOf([wallAccount(rows, [{ region: "us-east-1" }])]));
}

const rowIds = () => screen.getAllByTestId(/^fleet-row-/).map((r) => r.getAttribute("data-testid")!.replace("fleet-row-", ""));

describe("fleet table", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    serve([
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
    serve(many);
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

  it("shows each instance's checks, events, CPU and price, and sorts by cost and CPU", async () => {
    // 36 five-minute points (3 hours), two without data.
    const recent = Array.from({ length: 36 }, (_, i) => (i === 4 || i === 20 ? null : 10 + (i % 5)));
    serve([
      instance("i-aaa", { tracking: "tracked", node: "web/a" }, {
        impaired: true, systemCheck: "impaired", instanceCheck: "ok", cpuRecent: recent, cpuAverage: 12.3, cpuPeriodSeconds: 300,
        hourly: 10_400_000, monthly: 7_592_000_000, priceKind: "on-demand", hourlyText: "$0.0104", monthlyText: "$7.59",
      }),
      instance("i-bbb", { instanceType: "m5.large" }, {
        events: [{ kind: "instance-retirement", id: "instance-event-1", description: "The instance is running on degraded hardware", notBefore: "2026-12-14T09:00:00Z", notAfter: null }],
        cpuRecent: [50, 55, 60], cpuAverage: 55, hourly: 96_000_000, monthly: 70_080_000_000, priceKind: "on-demand", hourlyText: "$0.096", monthlyText: "$70.08",
      }),
      instance("i-ccc", {}, { hourlyText: "unknown", monthlyText: "unknown" }),
      instance("i-ddd", { state: "stopped" }, { systemCheck: null, instanceCheck: null, hourly: 10_400_000, monthly: null, hourlyText: "volumes only", monthlyText: "volumes only" }),
    ]);
    renderWithProviders(<FleetTable />);
    await waitFor(() => expect(rowIds()).toHaveLength(4));

    expect(screen.getByTestId("fleet-row-i-aaa")).toHaveAttribute("data-impaired", "true");
    expect(screen.getByTestId("fleet-impaired-i-aaa")).toHaveTextContent("impaired");
    expect(screen.queryByTestId("fleet-impaired-i-bbb")).not.toBeInTheDocument();
    expect(screen.getByTestId("fleet-checks-i-bbb")).toHaveTextContent("ok");
    expect(screen.getByTestId("fleet-event-i-bbb")).toHaveTextContent("Retirement 2026-12-14");
    expect(screen.getByTestId("fleet-event-i-bbb")).toHaveAttribute("title", expect.stringContaining("degraded hardware"));

    // The sparkline: one polyline point per period with data, the average beside it.
    const spark = screen.getByTestId("fleet-cpu-i-aaa");
    expect(spark).toHaveAttribute("data-points", "34");
    expect(spark.querySelector("polyline")!.getAttribute("points")!.split(" ")).toHaveLength(34);
    expect(screen.getByTestId("fleet-cpu-average-i-aaa")).toHaveTextContent("12%");
    expect(screen.getByTestId("fleet-cpu-i-bbb")).toHaveAttribute("data-points", "3");
    expect(screen.getByTestId("fleet-cpu-i-ccc")).toHaveAttribute("data-points", "0");

    // Prices: a figure, "unknown" (never a made-up one), "volumes only" for a stopped instance.
    expect(screen.getByTestId("fleet-hourly-i-aaa")).toHaveTextContent("$0.0104");
    expect(screen.getByTestId("fleet-monthly-i-aaa")).toHaveTextContent("$7.59");
    expect(screen.getByTestId("fleet-hourly-i-ccc")).toHaveTextContent("unknown");
    expect(screen.getByTestId("fleet-monthly-i-ccc")).toHaveTextContent("unknown");
    expect(screen.getByTestId("fleet-monthly-i-ddd")).toHaveTextContent("volumes only");

    // By cost: cheapest first, then most expensive first; rows without a monthly figure last either way.
    await userEvent.click(screen.getByTestId("fleet-sort-monthly"));
    expect(rowIds()).toEqual(["i-aaa", "i-bbb", "i-ccc", "i-ddd"]);
    await userEvent.click(screen.getByTestId("fleet-sort-monthly"));
    expect(rowIds()).toEqual(["i-bbb", "i-aaa", "i-ccc", "i-ddd"]);
    // By CPU, as numbers (55 after 12.3, not before it as text would).
    await userEvent.click(screen.getByTestId("fleet-sort-cpu"));
    expect(rowIds()).toEqual(["i-aaa", "i-bbb", "i-ccc", "i-ddd"]);
    await userEvent.click(screen.getByTestId("fleet-sort-cpu"));
    expect(rowIds()).toEqual(["i-bbb", "i-aaa", "i-ccc", "i-ddd"]);
  });

  it("shows a region that failed in its place while another region's rows show, and asks every region when told", async () => {
    backendMock.fleetStatus.mockImplementation(async (allRegions: boolean) =>
      wallOf(
        [
          wallAccount(
            [instance("i-aaa"), ...(allRegions ? [instance("i-far", { region: "ap-south-1" })] : [])],
            [
              { region: "eu-west-1", error: { code: "cloud.unauthorized", message: "You are not authorized to perform DescribeInstances in eu-west-1." } },
              { region: "us-east-1" },
              ...(allRegions ? [{ region: "ap-south-1" }] : []),
            ],
            { pricesAsOf: "2026-12-07" },
          ),
        ],
        allRegions,
      ),
    );
    renderWithProviders(<FleetTable />);
    const failed = await screen.findByTestId("fleet-region-error-eu-west-1");
    expect(failed).toHaveTextContent("eu-west-1");
    expect(failed).toHaveTextContent("not authorized to perform DescribeInstances");
    await waitFor(() => expect(rowIds()).toEqual(["i-aaa"]));
    expect(screen.getByTestId("fleet-count")).toHaveTextContent("1 of 1 instances in eu-west-1, us-east-1");
    expect(screen.getByTestId("fleet-prices-as-of")).toHaveTextContent("prices as of 2026-12-07");
    expect(backendMock.fleetStatus).toHaveBeenLastCalledWith(false);

    await userEvent.click(screen.getByTestId("fleet-all-regions"));
    await waitFor(() => expect(rowIds()).toEqual(["i-aaa", "i-far"]));
    expect(backendMock.fleetStatus).toHaveBeenLastCalledWith(true);
    expect(useUi.getState().allRegions).toBe(true);
    expect(screen.getByTestId("fleet-region-error-eu-west-1")).toBeInTheDocument();
  });

  it("scrolls to and marks the instance an alert pointed at", async () => {
    serve([instance("i-aaa"), instance("i-bbb")]);
    useUi.getState().showInstance("i-bbb");
    expect(useUi.getState().tab).toBe("fleet");
    renderWithProviders(<FleetTable />);
    await waitFor(() => expect(screen.getByTestId("fleet-row-i-bbb")).toHaveAttribute("data-focused", "true"));
    expect(screen.getByTestId("fleet-row-i-aaa")).not.toHaveAttribute("data-focused");
  });

  it("sorts numbers as numbers, ties by id, unknowns last both ways", () => {
    const rows = [
      instance("i-3", {}, { monthly: 300 }),
      instance("i-1", {}, { monthly: null }),
      instance("i-2", {}, { monthly: 20 }),
      instance("i-0", {}, { monthly: 300 }),
    ];
    const ids = (order: number[]) => order.map((i) => rows[i].instance.id);
    expect(ids(sortOrder(rows, (r) => r.monthly, false))).toEqual(["i-2", "i-0", "i-3", "i-1"]);
    expect(ids(sortOrder(rows, (r) => r.monthly, true))).toEqual(["i-0", "i-3", "i-2", "i-1"]);
  });

  it("draws a sparkline on a fixed 0-100% scale, skipping periods without data", () => {
    expect(sparklinePoints([0, null, 100], 10, 10)).toBe("0,10 10,0");
    expect(sparklinePoints([50], 10, 10)).toBe("0,5");
    expect(sparklinePoints([], 10, 10)).toBe("");
    expect(sparklinePoints([150, -3], 10, 10)).toBe("0,0 10,10");
  });

  it("says how long an instance has run", () => {
    const now = Date.parse("2026-12-02T12:00:00Z");
    expect(uptime("2026-12-02T11:48:00Z", now)).toBe("12m");
    expect(uptime("2026-12-02T06:58:00Z", now)).toBe("5h 2m");
    expect(uptime("2026-11-28T08:00:00Z", now)).toBe("4d 4h");
    expect(uptime(null, now)).toBe("");
  });
});
