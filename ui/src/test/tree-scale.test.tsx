// The tree and the views at 10,000 nodes in 100 systems (issue 27: every click answered within
// 100 ms). Timing-free: these tests pin the properties that make it fast, not a duration. Only
// the rows in view are in the DOM, however many are unfolded; a click or a node's state change
// re-renders the rows it concerns and no other (counted per row); a Shift-click range is taken
// by index from the flattened rows; the views a click does not concern do not re-render, and
// the graph is not laid out again when its tab comes back.
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import type { NodeLive } from "../bindings/NodeLive";
import { RepoTree } from "../components/tree/RepoTree";
import { applyFleetChange } from "../lib/cloud";
import { useUi } from "../lib/store";
import { buildModel, search } from "../lib/treeModel";
import { clickSelection, flattenTree, setOf } from "../lib/treeRows";
import { backendMock, resetBackend } from "./backendMock";
import { bigTree, detail } from "./fixtures";
import { renderWithProviders, resetUi } from "./render";

const counts = vi.hoisted(() => ({ rows: new Map<string, number>(), fleetSection: 0, layouts: 0 }));

vi.mock("../lib/backend", async (orig) => {
  const actual = await orig<typeof import("../lib/backend")>();
  const { backendMock } = await import("./backendMock");
  return { ...actual, backend: backendMock, events: { onRepoChanged: () => Promise.resolve(() => {}) } };
});

// Every tree row reads its node's live look once per render: counting the calls by name counts
// the renders of each row.
vi.mock("../lib/cloud", async (orig) => {
  const actual = await orig<typeof import("../lib/cloud")>();
  return {
    ...actual,
    useRowLiveLook: (item: Parameters<typeof actual.useRowLiveLook>[0]) => {
      counts.rows.set(item.name, (counts.rows.get(item.name) ?? 0) + 1);
      return actual.useRowLiveLook(item);
    },
  };
});

// The Overview renders its fleet panel each time it renders itself.
vi.mock("../components/cloud/FleetSection", async (orig) => {
  const actual = await orig<typeof import("../components/cloud/FleetSection")>();
  return {
    ...actual,
    FleetSection: (props: Parameters<typeof actual.FleetSection>[0]) => {
      counts.fleetSection++;
      return actual.FleetSection(props);
    },
  };
});

vi.mock("../components/graph/layout", async (orig) => {
  const actual = await orig<typeof import("../components/graph/layout")>();
  return {
    ...actual,
    layout: (input: Parameters<typeof actual.layout>[0]) => {
      counts.layouts++;
      return actual.layout(input);
    },
  };
});

const ROW_HEIGHT = 26;
/** The most rows the virtualized list renders for a 600 px window (jsdom's size, setup.ts): a screenful and the overscan. */
const WINDOW = 60;

const big = bigTree(100, 100);
const sys = (s: number) => `sys${String(s).padStart(3, "0")}`;
const node = (s: number, n: number) => `${sys(s)}/node${String(n).padStart(4, "0")}`;

const rowsInDom = () => screen.queryAllByRole("treeitem");
const row = (name: string) => screen.getByTestId(`tree-row-${name}`);
const renders = () => Object.fromEntries(counts.rows);

function live(name: string, state: string | null): NodeLive {
  return {
    node: name,
    region: "us-east-1",
    instanceId: "i-0123",
    state: state as NodeLive["state"],
    since: null,
    checkedAt: null,
    timeline: [],
    addresses: { host: null, privateIp: null, privateDns: null },
    missing: false,
    lastError: null,
    problems: [],
    operationId: null,
  };
}

/** Scrolls the tree so that row `index` is at the top (jsdom keeps scrollTop; the virtualizer reads it on scroll). */
function scrollTreeTo(index: number) {
  const tree = screen.getByTestId("tree");
  act(() => {
    tree.scrollTop = index * ROW_HEIGHT;
    fireEvent.scroll(tree);
  });
}

describe("the tree at 10,000 nodes in 100 systems", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    counts.rows.clear();
    counts.fleetSection = 0;
    counts.layouts = 0;
  });

  it("keeps a window of rows in the DOM when a system of 100 nodes unfolds and folds, and when all unfold", () => {
    const model = buildModel(big);
    renderWithProviders(<RepoTree model={model} />);
    const list = screen.getByRole("tree");
    expect(list.style.height).toBe(`${100 * ROW_HEIGHT}px`);
    expect(rowsInDom().length).toBeLessThanOrEqual(WINDOW);

    fireEvent.click(within(row(sys(0))).getByRole("button", { name: "Unfold" }));
    expect(row(sys(0))).toHaveAttribute("aria-expanded", "true");
    expect(row(node(0, 0))).toHaveAttribute("aria-level", "2");
    expect(row(node(0, 0))).toHaveAttribute("aria-posinset", "1");
    expect(row(node(0, 0))).toHaveAttribute("aria-setsize", "100");
    expect(list.style.height).toBe(`${200 * ROW_HEIGHT}px`);
    expect(rowsInDom().length).toBeLessThanOrEqual(WINDOW);

    fireEvent.click(within(row(sys(0))).getByRole("button", { name: "Fold" }));
    expect(row(sys(0))).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByTestId(`tree-row-${node(0, 0)}`)).toBeNull();
    expect(list.style.height).toBe(`${100 * ROW_HEIGHT}px`);

    // Every system at once: 10,100 rows in the list, still a window of them in the DOM.
    act(() => useUi.getState().setExpanded(model.systems));
    expect(list.style.height).toBe(`${10_100 * ROW_HEIGHT}px`);
    expect(rowsInDom().length).toBeLessThanOrEqual(WINDOW);
    scrollTreeTo(5_000);
    expect(rowsInDom().length).toBeLessThanOrEqual(WINDOW);
    // Row 5,000 is the 51st node of the 50th system (each system is 101 rows).
    expect(row(node(49, 50))).toBeInTheDocument();
    expect(screen.queryByTestId(`tree-row-${node(0, 0)}`)).toBeNull();
  });

  it("re-renders only the row whose node changes state, and only the rows whose selection changes on a click", async () => {
    backendMock.fleetNodes.mockResolvedValue([live(node(0, 3), "pending"), live(node(0, 7), "stopped")]);
    useUi.setState({ expanded: [sys(0)] });
    const { client } = renderWithProviders(<RepoTree model={buildModel(big)} />);
    await waitFor(() => expect(row(node(0, 3))).toHaveAttribute("data-state", "pending"));
    const shown = rowsInDom().length;
    expect(shown).toBeGreaterThan(20);

    // An event of a running operation: one node's state changes.
    counts.rows.clear();
    act(() => applyFleetChange(client, { nodes: [live(node(0, 3), "running")], removed: [] }));
    expect(row(node(0, 3))).toHaveAttribute("data-state", "running");
    expect(renders()).toEqual({ [node(0, 3)]: 1 });

    // The same, watched at the DOM: nothing outside that row changes.
    const changed = new Set<Node>();
    const observer = new MutationObserver((records) => records.forEach((r) => changed.add(r.target)));
    observer.observe(screen.getByTestId("tree"), { subtree: true, attributes: true, childList: true, characterData: true });
    act(() => applyFleetChange(client, { nodes: [live(node(0, 3), "stopping")], removed: [] }));
    await Promise.resolve();
    observer.disconnect();
    expect(changed.size).toBeGreaterThan(0);
    for (const target of changed) expect(row(node(0, 3)).contains(target)).toBe(true);

    // Selecting a node: its row, and the first row that gave up the Tab stop to it.
    counts.rows.clear();
    fireEvent.click(row(node(0, 5)));
    expect(useUi.getState()).toMatchObject({ selected: [node(0, 5)], current: node(0, 5) });
    expect(renders()).toEqual({ [node(0, 5)]: 1, [sys(0)]: 1 });
    expect(row(node(0, 5))).toHaveAttribute("aria-selected", "true");
    expect(row(node(0, 5))).toHaveAttribute("tabindex", "0");
    expect(row(sys(0))).toHaveAttribute("tabindex", "-1");

    // Selecting another: the two rows whose selection changed, nothing else.
    counts.rows.clear();
    fireEvent.click(row(node(0, 9)));
    expect(renders()).toEqual({ [node(0, 5)]: 1, [node(0, 9)]: 1 });
    expect(row(node(0, 5))).toHaveAttribute("aria-selected", "false");

    // Folding re-renders the rows that moved or appeared, never more than the window.
    counts.rows.clear();
    fireEvent.click(within(row(sys(0))).getByRole("button", { name: "Fold" }));
    expect(row(sys(1))).toBeInTheDocument();
    expect(counts.rows.size).toBeLessThanOrEqual(WINDOW);
  });

  it("extends a selection with Shift-click over 500 rows: exactly the rows between, by their places in the list", () => {
    const model = buildModel(big);
    useUi.setState({ expanded: model.systems });
    renderWithProviders(<RepoTree model={model} />);
    fireEvent.click(row(node(0, 10)));
    // Row 11 (sys000 is row 0) to row 510: 500 rows, five systems' rows among them.
    scrollTreeTo(480);
    const target = flattenTree(model, setOf(model.systems), null).ids[510];
    expect(target).toBe(node(5, 0 + (510 - 5 * 101 - 1)));
    counts.rows.clear();
    fireEvent.click(row(target), { shiftKey: true });
    const selected = useUi.getState().selected;
    expect(selected).toHaveLength(500);
    expect(selected[0]).toBe(node(0, 10));
    expect(selected[499]).toBe(target);
    expect(selected).toEqual(flattenTree(model, setOf(model.systems), null).ids.slice(11, 511));
    expect(useUi.getState().current).toBe(target);
    // Only rows in the DOM re-render: the 500 selected rows are mostly out of view.
    expect(counts.rows.size).toBeLessThanOrEqual(WINDOW);
    expect(within(screen.getByTestId("tree")).getAllByRole("treeitem", { selected: true }).length).toBeGreaterThan(20);

    // Ctrl+Shift adds a range to the selection.
    fireEvent.click(row(node(4, 99)), { ctrlKey: true });
    expect(useUi.getState().selected).toHaveLength(499);
    fireEvent.click(row(node(5, 2)), { ctrlKey: true, shiftKey: true });
    expect(useUi.getState().selected).toHaveLength(500);
  });

  it("filters with the search box: the index answers each keystroke, the tree shows the matches and the systems above them", () => {
    const model = buildModel(big);
    renderWithProviders(<RepoTree model={model} />);
    act(() => useUi.getState().setSearch("node004"));
    // node0040..node0049 in every system: 1,000 matches and their 100 systems.
    expect(screen.getByRole("tree").style.height).toBe(`${1_100 * ROW_HEIGHT}px`);
    expect(rowsInDom().length).toBeLessThanOrEqual(WINDOW);
    expect(within(row(node(0, 40))).getByText("node004").tagName).toBe("MARK");
    act(() => useUi.getState().setSearch("node0042"));
    expect(screen.getByRole("tree").style.height).toBe(`${200 * ROW_HEIGHT}px`);
    expect(row(node(0, 42))).toBeInTheDocument();
    // The search box and the tree ask the same search: one answer, the same object.
    expect(search(model, "node0042")).toBe(search(model, " NODE0042 "));
    act(() => useUi.getState().setSearch(""));
    expect(screen.getByRole("tree").style.height).toBe(`${100 * ROW_HEIGHT}px`);
  });

  it("moves with the keyboard: Right unfolds, Down goes on, Shift+Down extends, Left goes back to the system and folds it", () => {
    renderWithProviders(<RepoTree model={buildModel(big)} />);
    fireEvent.click(row(sys(0)));
    const key = (k: string, extra: object = {}) => fireEvent.keyDown(document.activeElement ?? row(sys(0)), { key: k, code: k, ...extra });
    row(sys(0)).focus();
    key("ArrowRight");
    expect(row(sys(0))).toHaveAttribute("aria-expanded", "true");
    key("ArrowRight");
    expect(useUi.getState().current).toBe(node(0, 0));
    expect(document.activeElement).toBe(row(node(0, 0)));
    key("ArrowDown", { shiftKey: true });
    key("ArrowDown", { shiftKey: true });
    expect(useUi.getState().selected).toEqual([node(0, 0), node(0, 1), node(0, 2)]);
    key("ArrowLeft");
    expect(useUi.getState().current).toBe(sys(0));
    key("ArrowLeft");
    expect(row(sys(0))).toHaveAttribute("aria-expanded", "false");
    key("End");
    expect(useUi.getState().current).toBe(sys(99));
  });
});

describe("the window at 10,000 nodes", () => {
  beforeEach(() => {
    resetUi();
    resetBackend();
    counts.rows.clear();
    counts.fleetSection = 0;
    counts.layouts = 0;
    backendMock.loadTree.mockResolvedValue(big);
    backendMock.getItem.mockImplementation(async (name: string) => detail(name, {}));
  });

  it("a click in the tree re-renders no view it does not concern; the graph keeps its layout when its tab comes back", async () => {
    renderWithProviders(<App />);
    await screen.findByTestId(`tree-row-${sys(0)}`);
    // The Overview's list paints its first rows at once and the rest after: all 300 in the end.
    await waitFor(() => expect(screen.getByTestId("overview-list").querySelectorAll('[data-testid^="overview-node-"]')).toHaveLength(300));
    await screen.findByTestId("fleet");
    const overviewRenders = counts.fleetSection;
    fireEvent.click(within(row(sys(0))).getByRole("button", { name: "Unfold" }));
    fireEvent.click(row(node(0, 1)));
    fireEvent.click(row(node(0, 2)), { shiftKey: true });
    expect(await screen.findByTestId("inspector-name")).toHaveTextContent("node0002");
    expect(counts.fleetSection).toBe(overviewRenders);

    fireEvent.mouseDown(screen.getByTestId("tab-graph"));
    expect(await screen.findByTestId(`graph-node-${node(0, 2)}`, {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(counts.layouts).toBe(1);
    fireEvent.mouseDown(screen.getByTestId("tab-overview"));
    await screen.findByTestId("overview-list");
    fireEvent.mouseDown(screen.getByTestId("tab-graph"));
    expect(screen.getByTestId(`graph-node-${node(0, 2)}`)).toBeInTheDocument();
    await act(() => new Promise((r) => setTimeout(r, 50)));
    expect(counts.layouts).toBe(1);
  }, 60_000);
});

describe("selection by click", () => {
  const rows = { ids: ["a", "b", "c", "d", "e"], index: new Map(["a", "b", "c", "d", "e"].map((n, i) => [n, i])) };
  it("Shift takes the rows between the anchor and the click by index, Ctrl toggles, both add the range", () => {
    expect(clickSelection(rows, [], null, "c", { shift: false, ctrl: false })).toEqual({ selected: ["c"], anchor: "c" });
    expect(clickSelection(rows, ["b"], "b", "d", { shift: true, ctrl: false })).toEqual({ selected: ["b", "c", "d"], anchor: "b" });
    expect(clickSelection(rows, ["d"], "d", "a", { shift: true, ctrl: false })).toEqual({ selected: ["a", "b", "c", "d"], anchor: "d" });
    expect(clickSelection(rows, ["a"], "a", "c", { shift: false, ctrl: true })).toEqual({ selected: ["a", "c"], anchor: "c" });
    expect(clickSelection(rows, ["a", "c"], "c", "a", { shift: false, ctrl: true })).toEqual({ selected: ["c"], anchor: "a" });
    expect(clickSelection(rows, ["e"], "c", "d", { shift: true, ctrl: true })).toEqual({ selected: ["e", "c", "d"], anchor: "c" });
    // No anchor, or one no longer shown: the click starts a new one.
    expect(clickSelection(rows, ["x"], "x", "b", { shift: true, ctrl: false })).toEqual({ selected: ["b"], anchor: "b" });
  });

  it("keeps one Set per list, so each row's question is O(1)", () => {
    const list = ["a", "b"];
    expect(setOf(list)).toBe(setOf(list));
    expect(setOf(list).has("b")).toBe(true);
    expect(setOf([...list])).not.toBe(setOf(list));
  });
});
