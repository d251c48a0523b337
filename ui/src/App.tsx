// The window: top bar, tree | main (Overview, Graph, Node, terminals and runs) | inspector, activity strip.
import { Activity, lazy, Suspense, useEffect, useState } from "react";
import { Tabs, Tooltip as RTooltip } from "radix-ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ChevronsDownUp, ChevronsUpDown, Database, FolderOpen, FolderPlus, History, Home, LayoutDashboard, Loader2, Network, Plus, Server, SquarePen } from "lucide-react";
import { backend } from "./lib/backend";
import { actions } from "./lib/actions";
import { explain } from "./lib/errors";
import { useItem, useRepoChangedEvents, useTree, useWorkspace } from "./lib/queries";
import { useUi, type Tab } from "./lib/store";
import { useApplyTheme } from "./lib/theme";
import { useMediaQuery } from "./lib/useMediaQuery";
import type { TreeModel } from "./lib/treeModel";
import { TopBar, tildify } from "./components/TopBar";
import { RepoTree } from "./components/tree/RepoTree";
import { Overview } from "./components/Overview";
import { FleetTable } from "./components/cloud/FleetTable";
import { ItemEditor } from "./components/editor/ItemEditor";
import { Inspector } from "./components/Inspector";
import { DialogHost } from "./components/dialogs/DialogHost";
import { Button, cx, ErrorNote, IconButton } from "./components/ui";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { ActivityStrip } from "./components/cloud/ActivityStrip";
import { SandboxBanner } from "./components/cloud/SandboxBanner";
import { useCloudEvents } from "./lib/cloud";
import { inTextField, undoRedo } from "./lib/history";
import { HistoryArea } from "./components/history/HistoryPanel";
import { UndoNotice } from "./components/history/UndoNotice";
import { SessionContents, SessionTriggers } from "./components/remote/SessionTabs";

// The graph (React Flow + elkjs) is the biggest part of the bundle: load it when first shown.
const GraphView = lazy(() => import("./components/graph/GraphView").then((m) => ({ default: m.GraphView })));

export function App() {
  useApplyTheme();
  useRepoChangedEvents();
  useCloudEvents();
  useGlobalKeys();
  return (
    <RTooltip.Provider delayDuration={400}>
      <Workspace />
    </RTooltip.Provider>
  );
}

function useGlobalKeys() {
  const { model } = useTree();
  const client = useQueryClient();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const ui = useUi.getState();
      // Undo: Ctrl+Z; redo: Ctrl+Shift+Z or Ctrl+Y. Not while typing in a field (its own undo) or in a dialog.
      const letter = e.key?.length === 1 ? e.key.toLowerCase() : e.code === "KeyZ" ? "z" : e.code === "KeyY" ? "y" : "";
      if ((e.ctrlKey || e.metaKey) && !e.altKey && (letter === "z" || (letter === "y" && !e.shiftKey))) {
        if (inTextField(e.target) || ui.dialog || !model) return;
        e.preventDefault();
        void undoRedo(client, letter === "z" && !e.shiftKey ? "undo" : "redo");
        return;
      }
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      const k = e.key.toLowerCase();
      if (k === "f") {
        e.preventDefault();
        ui.focusSearch();
        return;
      }
      if (ui.dialog || !model) return;
      if (k === "n") {
        e.preventDefault();
        actions.newNode(model);
      } else if (k === "d") {
        e.preventDefault();
        actions.clone(model);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [model, client]);
}

function Workspace() {
  const workspace = useWorkspace();
  const tree = useTree();
  const wide = useMediaQuery("(min-width: 1100px)");
  const compact = !useMediaQuery("(min-width: 1000px)");
  const model = tree.model;

  // Items removed or renamed elsewhere drop out of the selection.
  useEffect(() => {
    if (model) useUi.getState().prune((n) => model.byName.has(n));
  }, [model]);

  if (workspace.isPending) return <Splash text="Opening the repository…" />;
  if (workspace.error) return <NoRepository error={explain(workspace.error)} />;
  if (!workspace.data.root) return <NoRepository error={workspace.data.openError ? explain(workspace.data.openError) : null} />;

  return (
    <div className="flex h-full flex-col" data-testid="workspace">
      <SandboxBanner />
      <TopBar compact={compact} />
      <UndoNotice />
      <div className="flex min-h-0 flex-1">
        <nav className={cx("flex min-h-0 shrink-0 flex-col border-r border-line bg-panel", wide ? "w-[280px]" : "w-[230px]")} aria-label="Repository tree">
          <TreeHeader model={model} />
          {model ? (
            <ErrorBoundary label="tree">
              <RepoTree model={model} />
            </ErrorBoundary>
          ) : tree.error ? <ErrorNote error={explain(tree.error)} className="m-2" testId="tree-error" /> : <Splash text="Reading the repository…" small />}
        </nav>
        <main className="flex min-w-0 flex-1 flex-col">{model ? <MainTabs model={model} foldInspector={!wide} /> : <div className="flex-1" />}</main>
        {wide && model && (
          <div className="w-[300px] shrink-0 overflow-x-hidden overflow-y-auto border-l border-line bg-panel">
            <Inspector model={model} />
          </div>
        )}
      </div>
      <ActivityStrip model={model} root={workspace.data.root} defaultRoot={workspace.data.defaultRoot} />
      {model && <DialogHost model={model} />}
    </div>
  );
}

function TreeHeader({ model }: { model: TreeModel | null }) {
  return (
    <div className="flex h-9 shrink-0 items-center gap-1 border-b border-line pr-1 pl-3">
      <span className="truncate text-[11px] font-semibold tracking-wide whitespace-nowrap text-muted uppercase">Systems & nodes</span>
      <span className="ml-1 text-[11px] text-faint tabular-nums" data-testid="tree-count">
        {model ? `${model.view.nodeCount}` : ""}
      </span>
      <span className="ml-auto" />
      <IconButton size="sm" label="Unfold all" icon={<ChevronsUpDown size={14} />} disabled={!model?.systems.length} onClick={() => model && useUi.getState().setExpanded(model.systems)} data-testid="tree-unfold-all" />
      <IconButton size="sm" label="Fold all" icon={<ChevronsDownUp size={14} />} onClick={() => useUi.getState().setExpanded([])} data-testid="tree-fold-all" />
      <IconButton size="sm" label="New node" shortcut="Ctrl+N" icon={<Plus size={14} />} disabled={!model} onClick={() => actions.newNode(model)} data-testid="tree-new-node" />
    </div>
  );
}

/**
 * The views. Only the tab shown is rendered, except the graph: once shown it stays mounted
 * (React's Activity, hidden: its state and its laid-out boxes kept, its effects stopped, its
 * updates deferred), so coming back to it does not lay the graph out again. MainTabs itself
 * follows only the tab, so a click in the tree re-renders none of the views that do not show it.
 */
function MainTabs({ model, foldInspector }: { model: TreeModel; foldInspector: boolean }) {
  const tab = useUi((s) => s.tab);
  const setTab = useUi((s) => s.setTab);
  const [keepGraph, setKeepGraph] = useState(false);
  if (tab === "graph" && !keepGraph) setKeepGraph(true);
  const trigger = "flex h-9 items-center gap-1.5 border-b-2 border-transparent px-3 text-[13px] text-muted hover:text-fg data-[state=active]:border-accent data-[state=active]:text-fg";
  return (
    <Tabs.Root value={tab} onValueChange={(v) => setTab(v as Tab)} className="flex min-h-0 flex-1 flex-col">
      <Tabs.List className="flex shrink-0 items-end overflow-x-auto border-b border-line bg-panel px-2" aria-label="Views">
        <Tabs.Trigger value="overview" className={trigger} data-testid="tab-overview">
          <LayoutDashboard size={14} /> Overview
        </Tabs.Trigger>
        <Tabs.Trigger value="graph" className={trigger} data-testid="tab-graph">
          <Network size={14} /> Graph
        </Tabs.Trigger>
        <Tabs.Trigger value="fleet" className={trigger} data-testid="tab-fleet">
          <Server size={14} /> Fleet
        </Tabs.Trigger>
        <Tabs.Trigger value="history" className={trigger} data-testid="tab-history">
          <History size={14} /> History
        </Tabs.Trigger>
        <Tabs.Trigger value="node" className={cx(trigger, "max-w-[220px] min-w-[80px]")} data-testid="tab-node">
          <SquarePen size={14} className="shrink-0" />
          <NodeTabLabel model={model} />
        </Tabs.Trigger>
        <SessionTriggers trigger={trigger} />
      </Tabs.List>
      <Tabs.Content value="overview" className="flex min-h-0 flex-1 flex-col outline-none">
        <ErrorBoundary label="overview">
          <Overview model={model} />
        </ErrorBoundary>
      </Tabs.Content>
      <Tabs.Content value="graph" forceMount={keepGraph || undefined} className="flex min-h-0 flex-1 flex-col outline-none data-[state=inactive]:hidden">
        <Activity mode={tab === "graph" ? "visible" : "hidden"}>
          <ErrorBoundary label="graph">
            <Suspense fallback={<Splash text="Loading the graph…" small />}>
              <GraphView model={model} />
            </Suspense>
          </ErrorBoundary>
        </Activity>
      </Tabs.Content>
      <Tabs.Content value="fleet" className="flex min-h-0 flex-1 flex-col outline-none">
        <ErrorBoundary label="fleet">{tab === "fleet" && <FleetTable />}</ErrorBoundary>
      </Tabs.Content>
      <Tabs.Content value="history" className="flex min-h-0 flex-1 flex-col outline-none">
        <ErrorBoundary label="history">{tab === "history" && <HistoryArea />}</ErrorBoundary>
      </Tabs.Content>
      <Tabs.Content value="node" className="flex min-h-0 flex-1 flex-col outline-none">
        <NodePanel model={model} foldInspector={foldInspector} />
      </Tabs.Content>
      <SessionContents />
    </Tabs.Root>
  );
}

/** The Node tab's name: the current item's. */
function NodeTabLabel({ model }: { model: TreeModel }) {
  const current = useUi((s) => s.current);
  const item = current ? model.byName.get(current) : undefined;
  return <span className="truncate">{item ? item.label : "Node"}</span>;
}

function NodePanel({ model, foldInspector }: { model: TreeModel; foldInspector: boolean }) {
  const current = useUi((s) => s.current);
  return (
    <ErrorBoundary label="editor" resetKey={current}>
      <NodeTab model={model} foldInspector={foldInspector} />
    </ErrorBoundary>
  );
}

function NodeTab({ model, foldInspector }: { model: TreeModel; foldInspector: boolean }) {
  const current = useUi((s) => s.current);
  const detail = useItem(current);
  if (!current || !model.byName.has(current)) {
    return (
      <div className="flex flex-1 flex-col items-center justify-center gap-2 p-6 text-center text-muted" data-testid="node-tab-empty">
        <SquarePen size={28} className="text-faint" />
        <p>Select a node or system in the tree to edit its properties.</p>
      </div>
    );
  }
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      {foldInspector && (
        <div className="shrink-0 border-b border-line bg-panel px-4 py-2" data-testid="inspector-folded">
          <Inspector model={model} folded />
        </div>
      )}
      {detail.error ? (
        <ErrorNote error={explain(detail.error)} className="m-4" testId="item-error" />
      ) : !detail.data || detail.data.name !== current ? (
        <Splash text="Loading…" small />
      ) : (
        <ItemEditor key={current} detail={detail.data} />
      )}
    </div>
  );
}

function Splash({ text, small }: { text: string; small?: boolean }) {
  return (
    <div className={cx("flex flex-1 items-center justify-center gap-2 text-muted", small ? "p-4 text-[12px]" : "h-full")}>
      <Loader2 size={16} className="animate-spin" /> {text}
    </div>
  );
}

function NoRepository({ error }: { error: ReturnType<typeof explain> | null }) {
  const workspace = useWorkspace();
  const client = useQueryClient();
  const openDefault = useMutation({
    mutationFn: (path: string) => backend.openRepository(path),
    onSuccess: () => void client.invalidateQueries(),
  });
  const createDefault = useMutation({
    mutationFn: (path: string) => backend.createRepository(path),
    onSuccess: () => void client.invalidateQueries(),
  });
  const info = workspace.data;
  return (
    <div className="flex h-full flex-col items-center justify-center overflow-y-auto p-6" data-testid="no-repository">
      <div className="flex w-full max-w-[520px] flex-col gap-4 rounded-xl border border-line bg-panel p-6 shadow-sm">
        <div className="flex items-center gap-2">
          <Database size={20} className="text-accent" />
          <h1 className="text-[18px] font-semibold">Poni Desktop</h1>
        </div>
        <p className="text-muted">Open a repository to see its systems and nodes, or create a new one. A repository is a folder of plain files that the poni command line reads too.</p>
        <ErrorNote error={error} testId="open-error" />
        <ErrorNote error={openDefault.error ? explain(openDefault.error) : createDefault.error ? explain(createDefault.error) : null} />
        <div className="flex flex-wrap gap-2">
          <Button variant="primary" icon={<FolderOpen size={14} />} onClick={() => useUi.getState().openDialog({ kind: "repository", mode: "open" })} data-testid="start-open">
            Open repository…
          </Button>
          <Button icon={<FolderPlus size={14} />} onClick={() => useUi.getState().openDialog({ kind: "repository", mode: "create" })} data-testid="start-create">
            New repository…
          </Button>
          {info && (
            <Button icon={<Home size={14} />} onClick={() => createDefault.mutate(info.defaultRoot, { onError: () => openDefault.mutate(info.defaultRoot) })} data-testid="start-default">
              Use the default ({tildify(info.defaultRoot, info.defaultRoot)})
            </Button>
          )}
        </div>
        {info && info.recent.length > 0 && (
          <div>
            <p className="mb-1 text-[12px] font-medium text-muted">Recent</p>
            <ul className="flex flex-col">
              {info.recent.map((r) => (
                <li key={r}>
                  <button className="w-full truncate rounded px-2 py-1 text-left hover:bg-hover" onClick={() => openDefault.mutate(r)}>
                    {tildify(r, info.defaultRoot)}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
      <DialogHost model={null} />
    </div>
  );
}
