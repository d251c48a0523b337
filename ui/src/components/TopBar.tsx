// The top bar: repository switcher, node search (Ctrl+F), the action bar, theme and settings.
import { useEffect, useMemo, useRef } from "react";
import { DropdownMenu } from "radix-ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Camera, Cloud, Hourglass, Play, Power, Redo2, RefreshCw, Rocket, Square, Undo2 } from "lucide-react";
import { nextRedo, nextUndo, undoRedo, useHistory } from "../lib/history";
import { cloudActions, scopeFor, scopeLabel } from "../lib/cloud";
import type { Scope } from "../bindings/Scope";
import {
  Check,
  ChevronDown,
  Copy,
  Database,
  FolderOpen,
  FolderPlus,
  History,
  Home,
  Monitor,
  Moon,
  Pencil,
  Plus,
  Search,
  Settings as SettingsIcon,
  Sun,
  Trash2,
  X,
} from "lucide-react";
import { backend } from "../lib/backend";
import { actions } from "../lib/actions";
import { explain } from "../lib/errors";
import { useSettings, useTree, useWorkspace } from "../lib/queries";
import { keys } from "../lib/queryKeys";
import { useUi } from "../lib/store";
import { search as searchTree } from "../lib/treeModel";
import { cx, IconButton, Kbd, menuContent, menuItem, menuLabel, menuSeparator, Tooltip } from "./ui";
import { useTheme, type ThemeChoice } from "../lib/theme";

/** Shows a path with the home folder as `~`. */
export function tildify(path: string, defaultRoot?: string): string {
  const home = defaultRoot?.endsWith("/.poni/default") ? defaultRoot.slice(0, -"/.poni/default".length) : null;
  return home && (path === home || path.startsWith(`${home}/`)) ? `~${path.slice(home.length)}` : path;
}

export function TopBar({ compact }: { compact: boolean }) {
  return (
    <header className="flex h-11 shrink-0 items-center gap-2 border-b border-line bg-panel px-2">
      <RepoSwitcher />
      <SearchBox />
      <ActionBar compact={compact} />
      <ThemeMenu />
    </header>
  );
}

function RepoSwitcher() {
  const workspace = useWorkspace();
  const client = useQueryClient();
  const log = useUi((s) => s.log);
  const info = workspace.data;
  const open = useMutation({
    mutationFn: (path: string) => backend.openRepository(path),
    onSuccess: (_r, path) => {
      useUi.getState().reset();
      log(`Opened ${path}`);
      void client.invalidateQueries();
    },
    onError: (e, path) => log(`Could not open ${path}: ${explain(e).message}`, "error"),
  });
  const forget = useMutation({
    mutationFn: (path: string) => backend.forgetRepository(path),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.workspace }),
  });
  const root = info?.root ?? null;
  const label = root ? tildify(root, info?.defaultRoot) : "No repository";
  const recent = (info?.recent ?? []).filter((r) => r !== root);
  const showDefault = info && info.defaultRoot !== root && !recent.includes(info.defaultRoot);

  return (
    <DropdownMenu.Root>
      <Tooltip label={root ? `Repository: ${root}` : "Open or create a repository"}>
        <DropdownMenu.Trigger
          data-testid="repo-switcher"
          className="flex h-8 max-w-[32%] min-w-0 shrink items-center gap-1.5 rounded-md border border-line-strong bg-panel px-2 text-[13px] hover:bg-hover"
        >
          <Database size={14} className="shrink-0 text-accent" aria-hidden />
          <span className="min-w-0 truncate font-medium" data-testid="repo-current">
            {label}
          </span>
          <ChevronDown size={14} className="shrink-0 text-muted" aria-hidden />
        </DropdownMenu.Trigger>
      </Tooltip>
      <DropdownMenu.Portal>
        <DropdownMenu.Content align="start" sideOffset={4} className={cx(menuContent, "max-w-[min(560px,90vw)]")} data-testid="repo-menu">
          {root && (
            <>
              <DropdownMenu.Label className={menuLabel}>Open now</DropdownMenu.Label>
              <div className="flex items-center gap-2 px-2 pb-1 text-[12px] text-muted" data-selectable>
                <Check size={14} className="shrink-0 text-accent" /> <span className="truncate">{root}</span>
              </div>
            </>
          )}
          {(recent.length > 0 || showDefault) && <DropdownMenu.Separator className={menuSeparator} />}
          {recent.length > 0 && <DropdownMenu.Label className={menuLabel}>Recent</DropdownMenu.Label>}
          {recent.map((path) => (
            <DropdownMenu.Item key={path} className={cx(menuItem, "group pr-1")} onSelect={() => open.mutate(path)} data-testid={`repo-recent-${path}`}>
              <History size={14} className="shrink-0" />
              <span className="min-w-0 flex-1 truncate">{tildify(path, info?.defaultRoot)}</span>
              <button
                aria-label={`Remove ${path} from the recent list`}
                title="Remove from this list (the files stay)"
                className="rounded p-0.5 opacity-60 hover:bg-black/10 hover:opacity-100"
                onClick={(e) => {
                  e.stopPropagation();
                  e.preventDefault();
                  forget.mutate(path);
                }}
              >
                <X size={13} />
              </button>
            </DropdownMenu.Item>
          ))}
          {showDefault && (
            <DropdownMenu.Item className={menuItem} onSelect={() => open.mutate(info!.defaultRoot)} data-testid="repo-default">
              <Home size={14} /> Default repository <span className="truncate text-[12px] opacity-70">{tildify(info!.defaultRoot, info!.defaultRoot)}</span>
            </DropdownMenu.Item>
          )}
          <DropdownMenu.Separator className={menuSeparator} />
          <DropdownMenu.Item className={menuItem} onSelect={() => useUi.getState().openDialog({ kind: "repository", mode: "open" })} data-testid="repo-open">
            <FolderOpen size={14} /> Open repository…
          </DropdownMenu.Item>
          <DropdownMenu.Item className={menuItem} onSelect={() => useUi.getState().openDialog({ kind: "repository", mode: "create" })} data-testid="repo-create">
            <FolderPlus size={14} /> New repository…
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}

function SearchBox() {
  const value = useUi((s) => s.search);
  const setSearch = useUi((s) => s.setSearch);
  const tick = useUi((s) => s.searchFocusTick);
  const ref = useRef<HTMLInputElement>(null);
  const { model } = useTree();
  const result = useMemo(() => (model ? searchTree(model, value) : null), [model, value]);

  useEffect(() => {
    if (tick) {
      ref.current?.focus();
      ref.current?.select();
    }
  }, [tick]);

  return (
    <div className="relative flex h-8 max-w-[420px] min-w-[120px] flex-1 items-center">
      <Search size={14} className="pointer-events-none absolute left-2.5 text-faint" aria-hidden />
      <input
        ref={ref}
        value={value}
        onChange={(e) => setSearch(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            setSearch("");
            ref.current?.blur();
          } else if (e.key === "Enter" && result?.ordered[0]) {
            const first = result.ordered[0];
            useUi.getState().select([first], first);
            if (e.ctrlKey || e.altKey) useUi.getState().open(first);
          } else if (e.key === "ArrowDown") {
            e.preventDefault();
            (document.querySelector('[data-testid="tree"] [role="treeitem"][tabindex="0"], [data-testid="tree"] [role="treeitem"]') as HTMLElement | null)?.focus();
          }
        }}
        placeholder="Search nodes…"
        aria-label="Search nodes by name"
        data-testid="search-input"
        spellCheck={false}
        className="h-8 w-full rounded-md border border-line-strong bg-bg pr-16 pl-8 text-[13px] outline-none placeholder:text-faint focus:border-accent focus:ring-2 focus:ring-accent/25"
      />
      <span className="pointer-events-none absolute right-2 flex items-center gap-1 text-[11px] text-faint">
        {result ? (
          <span data-testid="search-count" className={cx(result.matches.size === 0 && "text-danger")}>
            {result.matches.size} found
          </span>
        ) : (
          <span>Ctrl+F</span>
        )}
      </span>
      {value && (
        <button
          aria-label="Clear search"
          data-testid="search-clear"
          onClick={() => setSearch("")}
          className="absolute right-[72px] rounded p-0.5 text-muted hover:bg-hover hover:text-fg"
        >
          <X size={13} />
        </button>
      )}
    </div>
  );
}

function ActionBar({ compact }: { compact: boolean }) {
  const { model } = useTree();
  // What the buttons need of the selection, so a click in the tree re-renders the bar only when that changes.
  const hasItem = useUi((s) => !!s.current && !!model?.byName.has(s.current));
  const count = useUi((s) => s.selected.length);
  const disabled = !model;
  return (
    <div className="ml-auto flex shrink-0 items-center gap-0.5" role="toolbar" aria-label="Actions" data-testid="action-bar">
      <UndoRedo disabled={disabled} />
      <span className="mx-1 h-5 w-px bg-line" aria-hidden />
      <IconButton label="New node" shortcut="Ctrl+N" showLabel={!compact} icon={<Plus size={15} />} disabled={disabled} onClick={() => actions.newNode(model)} data-testid="action-new-node" />
      <IconButton label="New system" showLabel={!compact} icon={<FolderPlus size={15} />} disabled={disabled} onClick={() => actions.newSystem(model)} data-testid="action-new-system" />
      <IconButton
        label="Clone"
        shortcut="Ctrl+D"
        showLabel={!compact}
        icon={<Copy size={15} />}
        disabled={disabled || !model?.nodes.length}
        onClick={() => actions.clone(model)}
        data-testid="action-clone"
      />
      <span className="mx-1 h-5 w-px bg-line" aria-hidden />
      <IconButton label="Rename or move" shortcut="F2" icon={<Pencil size={15} />} disabled={!hasItem || count > 1} onClick={() => actions.rename()} data-testid="action-rename" />
      <IconButton
        label={count > 1 ? `Delete ${count} items` : "Delete"}
        shortcut="Del"
        icon={<Trash2 size={15} />}
        disabled={!hasItem && count === 0}
        onClick={() => actions.remove()}
        data-testid="action-delete"
      />
      <span className="mx-1 h-5 w-px bg-line" aria-hidden />
      <CloudBar compact={compact} />
    </div>
  );
}

/** Undo and redo (named after the change they take back or bring back), and the History tab. */
function UndoRedo({ disabled }: { disabled: boolean }) {
  const history = useHistory();
  const client = useQueryClient();
  const undo = nextUndo(history.data);
  const redo = nextRedo(history.data);
  return (
    <>
      <IconButton
        label={undo ? `Undo: ${undo}` : "Undo"}
        shortcut="Ctrl+Z"
        icon={<Undo2 size={15} />}
        disabled={disabled || !history.data?.canUndo}
        onClick={() => void undoRedo(client, "undo")}
        data-testid="action-undo"
      />
      <IconButton
        label={redo ? `Redo: ${redo}` : "Redo"}
        shortcut="Ctrl+Shift+Z"
        icon={<Redo2 size={15} />}
        disabled={disabled || !history.data?.canRedo}
        onClick={() => void undoRedo(client, "redo")}
        data-testid="action-redo"
      />
      <IconButton label="History and git" icon={<History size={15} />} disabled={disabled} onClick={() => useUi.getState().setTab("history")} data-testid="action-history" />
    </>
  );
}

/** Launch and terminate at hand, the other cloud actions in a menu; all on the selection (or every node). */
function CloudBar({ compact }: { compact: boolean }) {
  const { model } = useTree();
  const current = useUi((s) => s.current);
  const selected = useUi((s) => s.selected);
  const client = useQueryClient();
  const scope = useMemo((): Scope | null => {
    const names = selected.length ? selected : current ? [current] : [];
    return !model || model.view.nodeCount === 0 ? null : names.length ? scopeFor(model, names) : { kind: "all" };
  }, [model, selected, current]);
  const on = scope ? ` ${scopeLabel(scope)}` : "";
  return (
    <>
      <IconButton label={compact ? `Launch${on}…` : "Launch…"} showLabel={!compact} icon={<Rocket size={15} />} disabled={!scope} onClick={() => cloudActions.launch(scope)} data-testid="action-launch" />
      <IconButton label={compact ? `Terminate${on}…` : "Terminate…"} showLabel={!compact} icon={<Power size={15} />} disabled={!scope} onClick={() => cloudActions.confirm(scope, "terminate")} data-testid="action-terminate" />
      <DropdownMenu.Root>
        <Tooltip label={`More cloud actions${on}`}>
          <DropdownMenu.Trigger disabled={!scope} aria-label="More cloud actions" data-testid="action-cloud-menu" className="flex h-8 shrink-0 items-center gap-0.5 rounded-md px-2 text-fg hover:bg-hover disabled:opacity-50">
            <Cloud size={15} />
            <ChevronDown size={13} className="text-muted" />
          </DropdownMenu.Trigger>
        </Tooltip>
        <DropdownMenu.Portal>
          <DropdownMenu.Content align="end" sideOffset={4} className={menuContent} data-testid="cloud-menu">
            {scope && <DropdownMenu.Label className={cx(menuLabel, "max-w-[260px] truncate")}>{scopeLabel(scope)}</DropdownMenu.Label>}
            <DropdownMenu.Item className={menuItem} onSelect={() => cloudActions.refresh(client, scope)} data-testid="action-refresh">
              <RefreshCw size={14} /> Refresh addresses
            </DropdownMenu.Item>
            <DropdownMenu.Item className={menuItem} onSelect={() => cloudActions.confirm(scope, "stop")} data-testid="action-stop">
              <Square size={13} /> Stop…
            </DropdownMenu.Item>
            <DropdownMenu.Item className={menuItem} onSelect={() => cloudActions.confirm(scope, "start")} data-testid="action-start">
              <Play size={13} /> Start…
            </DropdownMenu.Item>
            <DropdownMenu.Item className={menuItem} onSelect={() => cloudActions.wait(scope)} data-testid="action-wait">
              <Hourglass size={13} /> Wait for a state…
            </DropdownMenu.Item>
            <DropdownMenu.Item className={menuItem} onSelect={() => cloudActions.snapshots(scope)} data-testid="action-snapshots">
              <Camera size={13} /> Snapshots…
            </DropdownMenu.Item>
            <DropdownMenu.Separator className={menuSeparator} />
            <DropdownMenu.Item className={menuItem} onSelect={() => cloudActions.launch(scope, true)} data-testid="action-reinit">
              <Rocket size={14} /> Re-launch (new instances)…
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
    </>
  );
}

function ThemeMenu() {
  const { choice, setChoice } = useTheme();
  const settings = useSettings();
  const options: { value: ThemeChoice; label: string; icon: React.ReactNode }[] = [
    { value: "system", label: "Follow the system", icon: <Monitor size={14} /> },
    { value: "light", label: "Light", icon: <Sun size={14} /> },
    { value: "dark", label: "Dark", icon: <Moon size={14} /> },
  ];
  return (
    <DropdownMenu.Root>
      <Tooltip label="Theme and settings">
        <DropdownMenu.Trigger aria-label="Theme and settings" data-testid="theme-menu" className="flex h-8 w-8 shrink-0 items-center justify-center rounded-md text-fg hover:bg-hover">
          <SettingsIcon size={16} />
        </DropdownMenu.Trigger>
      </Tooltip>
      <DropdownMenu.Portal>
        <DropdownMenu.Content align="end" sideOffset={4} className={menuContent}>
          <DropdownMenu.Label className={menuLabel}>Theme</DropdownMenu.Label>
          <DropdownMenu.RadioGroup value={choice} onValueChange={(v) => setChoice(v as ThemeChoice)}>
            {options.map((o) => (
              <DropdownMenu.RadioItem key={o.value} value={o.value} className={menuItem} data-testid={`theme-${o.value}`}>
                {o.icon} {o.label}
                <DropdownMenu.ItemIndicator className="ml-auto">
                  <Check size={14} />
                </DropdownMenu.ItemIndicator>
              </DropdownMenu.RadioItem>
            ))}
          </DropdownMenu.RadioGroup>
          <DropdownMenu.Separator className={menuSeparator} />
          <DropdownMenu.Item className={menuItem} disabled={!settings.data} onSelect={() => useUi.getState().openDialog({ kind: "settings" })} data-testid="open-settings">
            <SettingsIcon size={14} /> Settings… <Kbd> </Kbd>
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
