// Times one action in the page, for large_repository.rs: WebDriver's execute_async runs this as a
// function body with `args` (which action, on what, what to expect) and its callback. It makes
// the input the way the browser delivers a person's (the same DOM events, dispatched in the
// page), waits frame by frame until the expected result is in the DOM, then for that frame to
// be painted, and answers { ms }: from the input to the painted result. When the result does
// not come within args.within ms, or is there before the input, it answers { error }. With
// args.setup it is a step before a measurement: a result already there is fine (answers 0).
const args = arguments[0];
const answer = arguments[arguments.length - 1];

const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
/** After the next frame is painted: requestAnimationFrame runs before the paint, a task queued there after it. */
const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
const byId = (id) => document.querySelector(`[data-testid="${id}"]`);
const all = (selector, root) => (root ? [...root.querySelectorAll(selector)] : []);
const row = (name) => byId(`tree-row-${name}`);
/** The virtualized list: as high as all its rows; only the rows in view are in the DOM. */
const list = () => document.querySelector('[data-testid="tree"] [role="tree"]');
const scroller = () => byId("tree");
const shown = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
const selectedInView = () => all('[role="treeitem"][aria-selected="true"]', list());
const systemsInView = () => all('[role="treeitem"][data-kind="system"]', list());
const inspectorText = () => byId("inspector")?.textContent ?? "";
/** The inspector (shown in a wide window) shows `name`; no inspector: nothing to check. */
const inspectorShows = (name) => !byId("inspector") || byId("inspector-name")?.title === name;

function rowHeight() {
  const first = list()?.querySelector('[role="treeitem"]');
  return first ? parseFloat(first.style.height) : 0;
}

/** How many rows the tree holds, in view or not: the list's height in rows. */
function rowCount() {
  const height = rowHeight();
  return height ? Math.round(parseFloat(list().style.height) / height) : 0;
}

/** What the page shows, for a failure's message. */
function seen() {
  const selected = selectedInView().map((r) => r.dataset.name);
  const tab = document.querySelector('[data-testid^="tab-"][aria-selected="true"]')?.dataset.testid ?? "none";
  const search = byId("search-input")?.value ?? "";
  const count = byId("search-count")?.textContent ?? "no count";
  return `seen: ${rowCount()} tree rows, ${selected.length} selected in view (${selected.slice(0, 3).join(", ")}), search ${JSON.stringify(search)} (${count}), tab ${tab}, inspector ${JSON.stringify(inspectorText().slice(0, 80))}`;
}

function need(el, what) {
  if (!el) throw new Error(`no ${what} in the page; ${seen()}`);
  return el;
}

/** Waits frame by frame until `test()` holds and answers its value; fails after args.within ms. */
async function until(what, test) {
  const end = performance.now() + args.within;
  for (;;) {
    const value = test();
    if (value) return value;
    if (performance.now() > end) throw new Error(`${what}: not within ${args.within} ms; ${seen()}`);
    await frame();
  }
}

/** A left click as the browser delivers it: pointer and mouse down and up, then click (Shift held when `shift`). */
function press(el, shift = false) {
  const box = el.getBoundingClientRect();
  const at = { bubbles: true, cancelable: true, composed: true, button: 0, shiftKey: shift, clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 };
  const Pointer = typeof PointerEvent === "function" ? PointerEvent : MouseEvent;
  const pointer = { ...at, pointerId: 1, pointerType: "mouse", isPrimary: true };
  el.dispatchEvent(new Pointer("pointerdown", { ...pointer, buttons: 1 }));
  el.dispatchEvent(new MouseEvent("mousedown", { ...at, buttons: 1, detail: 1 }));
  el.dispatchEvent(new Pointer("pointerup", { ...pointer, buttons: 0 }));
  el.dispatchEvent(new MouseEvent("mouseup", { ...at, buttons: 0, detail: 1 }));
  el.dispatchEvent(new MouseEvent("click", { ...at, buttons: 0, detail: 1 }));
}

const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
/** A keystroke that leaves `text` in the input, as React sees one: the value set natively, then an input event. */
function type(input, text) {
  const key = text ? text.slice(-1) : "Backspace";
  input.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
  setValue.call(input, text);
  input.dispatchEvent(new Event("input", { bubbles: true }));
  input.dispatchEvent(new KeyboardEvent("keyup", { key, bubbles: true }));
}

/** Each view of the main area, shown with its content. */
const VIEWS = {
  overview: () => shown(byId("overview")) && all('[data-testid^="overview-node-"]', document).some(shown),
  graph: () => shown(byId("graph")) && (all('[data-testid^="graph-node-"], [data-testid^="graph-system-"]', document).some(shown) || shown(byId("graph-empty"))),
  fleet: () => shown(byId("fleet-table")) && shown(byId("fleet-count")),
  node: () => shown(byId("editor")),
};

/** Each action: `input` makes it, `reached` says its result is in the page; `prepare`, untimed, comes first. */
const ACTIONS = {
  // The method's floor: one attribute of a row changed, no React; then painted.
  floor: {
    input: () => {
      need(row(args.name), `row ${args.name}`).dataset.bench = args.n;
    },
    reached: () => row(args.name)?.dataset.bench === args.n,
  },
  // A system's chevron: it unfolds (its first node shows, the list grows by its nodes) or folds.
  unfold: {
    input: () => press(need(row(args.system)?.querySelector('button[aria-label="Unfold"]'), `Unfold button of ${args.system}`)),
    reached: () => row(args.system)?.getAttribute("aria-expanded") === "true" && !!row(args.child) && rowCount() === args.rows,
  },
  fold: {
    input: () => press(need(row(args.system)?.querySelector('button[aria-label="Fold"]'), `Fold button of ${args.system}`)),
    reached: () => row(args.system)?.getAttribute("aria-expanded") === "false" && all(`[data-name^="${args.system}/"]`, list()).length === 0 && rowCount() === args.rows,
  },
  // A click on a node's row: that row alone is selected, and the inspector shows it.
  select: {
    prepare: () => until(`row ${args.name} in view`, () => row(args.name)),
    input: () => press(row(args.name)),
    reached: () => row(args.name)?.getAttribute("aria-selected") === "true" && selectedInView().length === 1 && inspectorShows(args.name),
  },
  // From the anchor selected alone, scrolled down to a row far below it, a Shift-click there:
  // the rows from the anchor to it are selected (the inspector counts them) and it is current.
  extend: {
    prepare: async () => {
      scroller().scrollTop = 0;
      press(await until(`row ${args.anchor} in view`, () => row(args.anchor)));
      await until(`${args.anchor} selected alone`, () => row(args.anchor)?.getAttribute("aria-selected") === "true" && selectedInView().length === 1 && inspectorShows(args.anchor) && !inspectorText().includes("items selected"));
      scroller().scrollTop = args.targetRow * rowHeight() - scroller().clientHeight / 2;
      await until(`row ${args.target} in view`, () => row(args.target));
    },
    input: () => press(row(args.target), true),
    reached: () => row(args.target)?.getAttribute("aria-selected") === "true" && inspectorShows(args.target) && inspectorText().includes(`${args.count} items selected`),
  },
  // A keystroke in the search box: the count of matches, and the tree (a deferred render)
  // filtered to them: as many rows as expected, each match's name marked where the query is.
  type: {
    input: () => type(need(byId("search-input"), "search box"), args.text),
    reached: () => {
      const q = args.text.trim().toLowerCase();
      const marks = all("mark", list());
      const marked = q ? marks.length > 0 && marks.every((m) => m.textContent.toLowerCase() === q) : marks.length === 0;
      const count = byId("search-count")?.textContent ?? null;
      return byId("search-input")?.value === args.text && count === (q ? `${args.found} found` : null) && rowCount() === args.rows && marked;
    },
  },
  // A tab of the main area: the tab is selected and its view shows, with its content.
  tab: {
    input: () => press(need(byId(`tab-${args.tab}`), `tab ${args.tab}`)),
    reached: () => byId(`tab-${args.tab}`)?.getAttribute("aria-selected") === "true" && VIEWS[args.tab](),
  },
  // Unfold all and Fold all above the tree: the list holds every row (or the systems alone),
  // and the systems in view are open (or closed).
  unfoldAll: {
    input: () => press(need(byId("tree-unfold-all"), "Unfold all button")),
    reached: () => rowCount() === args.rows && systemsInView().every((r) => r.getAttribute("aria-expanded") === "true"),
  },
  foldAll: {
    prepare: () => {
      scroller().scrollTop = 0;
    },
    input: () => press(need(byId("tree-fold-all"), "Fold all button")),
    reached: () => rowCount() === args.rows && systemsInView().length > 0 && systemsInView().every((r) => r.getAttribute("aria-expanded") === "false"),
  },
};

async function measure(action) {
  if (action.prepare) await action.prepare();
  await painted();
  if (action.reached()) {
    if (args.setup) return 0;
    throw new Error(`${args.what}: the result was there before the input; ${seen()}`);
  }
  const start = performance.now();
  action.input();
  await until(args.what, action.reached);
  await painted();
  return performance.now() - start;
}

const action = ACTIONS[args.action];
if (!action) answer({ error: `no action ${JSON.stringify(args.action)}` });
else measure(action).then((ms) => answer({ ms }), (e) => answer({ error: String(e?.message ?? e) }));
