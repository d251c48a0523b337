// New system, Rename/Move, Delete, Open/Create repository, Settings.
import { useId, useMemo, useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { FolderOpen, Loader2 } from "lucide-react";
import { backend, systemDialogs } from "../../lib/backend";
import { explain, type Explained } from "../../lib/errors";
import { useDebounced, useWorkspace } from "../../lib/queries";
import { keys } from "../../lib/queryKeys";
import { useUi } from "../../lib/store";
import { ancestors, baseName, descendants, systemOf, type TreeModel } from "../../lib/treeModel";
import { Button, ErrorNote, Field, Input, Modal, Select } from "../ui";
import { tildify } from "../TopBar";

/** How long typing pauses before the core checks a name. */
const NAME_CHECK_DELAY_MS = 150;

/**
 * The core's answer on a full name as typed (a new system's, or `renameFrom`'s new name): the
 * repository's own rules (characters, something there already, a node on the way). Undefined
 * while there is nothing to ask or no answer yet.
 */
function useNameProblem(name: string, renameFrom: string | null, enabled: boolean): string | undefined {
  const asked = useDebounced(name, NAME_CHECK_DELAY_MS);
  const check = useQuery({
    queryKey: keys.checkName(asked, renameFrom),
    queryFn: () => backend.checkName(asked, renameFrom),
    enabled: enabled && !!asked,
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
  return enabled && check.data ? explain(check.data).message : undefined;
}

function SystemSelect({ id, model, value, onChange, testId, exclude }: { id: string; model: TreeModel; value: string; onChange: (v: string) => void; testId: string; exclude?: string }) {
  return (
    <Select id={id} value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
      <option value="">(top level)</option>
      {model.systems
        .filter((s) => !exclude || (s !== exclude && !s.startsWith(`${exclude}/`)))
        .map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
    </Select>
  );
}

function useDone() {
  const client = useQueryClient();
  const close = useUi((s) => s.closeDialog);
  return () => {
    close();
    void client.invalidateQueries();
  };
}

export function NewSystemDialog({ model, initialParent }: { model: TreeModel; initialParent?: string | null }) {
  const id = useId();
  const close = useUi((s) => s.closeDialog);
  const done = useDone();
  const [parent, setParent] = useState(initialParent ?? "");
  const [name, setName] = useState("");
  const full = parent && name.trim() ? `${parent}/${name.trim()}` : name.trim();
  const checked = useNameProblem(full, null, !!full);
  const problem = !full ? "Give the system a name." : checked;
  const [shown, setShown] = useState(false);
  const add = useMutation({
    mutationFn: () => backend.addSystem(full),
    onSuccess: () => {
      const ui = useUi.getState();
      ui.log(`Created system ${full}`);
      ui.expand(ancestors(full));
      ui.select([full], full);
      done();
    },
  });
  const submit = () => (problem ? setShown(true) : add.mutate());
  return (
    <Modal
      open
      onOpenChange={(o) => !o && close()}
      title="New system"
      testId="new-system-dialog"
      description="A system groups nodes (and other systems). Properties set on a system apply to everything inside it."
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" disabled={add.isPending || (!!problem && !!name)} onClick={submit} data-testid="system-submit">
            {add.isPending && <Loader2 size={14} className="animate-spin" />}
            Create system
          </Button>
        </>
      }
    >
      <form
        className="flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Field label="Inside" htmlFor={`${id}-parent`}>
          <SystemSelect id={`${id}-parent`} model={model} value={parent} onChange={setParent} testId="system-parent" />
        </Field>
        <Field label="Name" htmlFor={`${id}-name`} error={(shown || name) && problem ? problem : undefined} hint={full ? `Full name: ${full}` : "e.g. webshop, or webshop/frontend to make both."} testId="system-name">
          <Input id={`${id}-name`} autoFocus value={name} onChange={(e) => setName(e.target.value)} invalid={!!name && !!problem} data-testid="system-name" />
        </Field>
        <ErrorNote error={add.error ? explain(add.error) : null} testId="system-error" />
      </form>
    </Modal>
  );
}

export function RenameDialog({ model, name }: { model: TreeModel; name: string }) {
  const id = useId();
  const close = useUi((s) => s.closeDialog);
  const done = useDone();
  const item = model.byName.get(name);
  const [system, setSystem] = useState(systemOf(name) ?? "");
  const [label, setLabel] = useState(baseName(name));
  const to = system && label.trim() ? `${system}/${label.trim()}` : label.trim();
  const unchanged = to === name;
  const checked = useNameProblem(to, name, !!to && !unchanged);
  const problem = unchanged ? undefined : !to ? `Give the ${item?.kind ?? "item"} a name.` : checked;
  const clones = item?.kind === "node" ? (model.clones.get(name) ?? []) : [];
  const inner = item?.kind === "system" ? descendants(model, name).length : 0;
  const rename = useMutation({
    mutationFn: () => backend.renameItem(name, to),
    onSuccess: () => {
      const ui = useUi.getState();
      ui.log(`Renamed ${name} to ${to}`);
      ui.expand(ancestors(to));
      ui.select([to], to);
      done();
    },
  });
  const blocker = unchanged ? "Nothing to change yet." : problem;
  return (
    <Modal
      open
      onOpenChange={(o) => !o && close()}
      title={`Rename or move ${item?.kind ?? ""} ${baseName(name)}`}
      testId="rename-dialog"
      description={name}
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" disabled={!!blocker || rename.isPending} onClick={() => rename.mutate()} data-testid="rename-submit">
            {rename.isPending && <Loader2 size={14} className="animate-spin" />}
            {systemOf(to) !== systemOf(name) ? "Move" : "Rename"}
          </Button>
        </>
      }
    >
      <form
        className="flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          if (!blocker) rename.mutate();
        }}
      >
        <Field label="System" htmlFor={`${id}-system`}>
          <SystemSelect id={`${id}-system`} model={model} value={system} onChange={setSystem} testId="rename-system" exclude={item?.kind === "system" ? name : undefined} />
        </Field>
        <Field label="Name" htmlFor={`${id}-name`} error={problem} hint={`New full name: ${to || "—"}`} testId="rename-name">
          <Input id={`${id}-name`} autoFocus value={label} onChange={(e) => setLabel(e.target.value)} invalid={!!problem} data-testid="rename-name" />
        </Field>
        {(clones.length > 0 || inner > 0) && (
          <p className="text-[12px] text-muted">
            {inner > 0 && `Everything inside (${inner} item${inner === 1 ? "" : "s"}) moves with it. `}
            {clones.length > 0 && `${clones.length} node${clones.length === 1 ? "" : "s"} cloned from it will point to the new name.`}
          </p>
        )}
        <ErrorNote error={rename.error ? explain(rename.error) : null} testId="rename-error" />
      </form>
    </Modal>
  );
}

/** The sentence a delete confirmation shows for one item. */
export function describeDelete(model: TreeModel, name: string): string {
  const item = model.byName.get(name);
  if (!item) return `'${name}' (it no longer exists).`;
  if (item.kind === "system") {
    const inner = descendants(model, name);
    const nodes = inner.filter((i) => i.kind === "node").length;
    const systems = inner.length - nodes;
    if (!inner.length) return `The empty system ${name}.`;
    const parts = [systems && `${systems} system${systems === 1 ? "" : "s"}`, nodes && `${nodes} node${nodes === 1 ? "" : "s"}`].filter(Boolean);
    return `The system ${name} with ${parts.join(" and ")} inside it.`;
  }
  const launched = item.instance ? ` It has instance ${item.instance}: the instance keeps running in the cloud; only the node's files are removed.` : "";
  return `The node ${name}.${launched}`;
}

export function DeleteDialog({ model, names }: { model: TreeModel; names: string[] }) {
  const close = useUi((s) => s.closeDialog);
  const done = useDone();
  // Items inside a system that is deleted too go with it.
  const targets = useMemo(() => names.filter((n) => !ancestors(n).some((a) => names.includes(a))), [names]);
  const orphans = useMemo(() => {
    const gone = new Set(targets.flatMap((t) => [t, ...descendants(model, t).map((d) => d.name)]));
    return [...gone].flatMap((g) => (model.clones.get(g) ?? []).filter((c) => !gone.has(c)));
  }, [model, targets]);
  const [error, setError] = useState<Explained | null>(null);
  const [deleted, setDeleted] = useState<string[]>([]);
  const run = useMutation({
    mutationFn: async () => {
      for (const t of targets.filter((t) => !deleted.includes(t))) {
        try {
          await backend.removeItem(t);
          setDeleted((d) => [...d, t]);
          useUi.getState().log(`Deleted ${t}`);
        } catch (e) {
          setError(explain(e));
          throw e;
        }
      }
    },
    onSuccess: () => {
      useUi.getState().select([], null);
      done();
    },
  });
  const total = targets.reduce((n, t) => n + 1 + descendants(model, t).length, 0);
  return (
    <Modal
      open
      onOpenChange={(o) => !o && close()}
      title={targets.length === 1 ? `Delete ${model.byName.get(targets[0])?.kind ?? "item"}?` : `Delete ${targets.length} items?`}
      testId="delete-dialog"
      footer={
        <>
          <Button onClick={close} autoFocus data-testid="delete-cancel">
            Cancel
          </Button>
          <Button variant="danger" disabled={run.isPending} onClick={() => run.mutate()} data-testid="delete-confirm">
            {run.isPending && <Loader2 size={14} className="animate-spin" />}
            {total > 1 ? `Delete ${total} items` : "Delete"}
          </Button>
        </>
      }
    >
      <div className="flex flex-col gap-2 text-[13px]" data-testid="delete-summary" data-selectable>
        <p>This deletes:</p>
        <ul className="max-h-48 list-disc overflow-y-auto pl-5">
          {targets.map((t) => (
            <li key={t} className={deleted.includes(t) ? "text-faint line-through" : undefined}>
              {describeDelete(model, t)}
            </li>
          ))}
        </ul>
        <p className="text-muted">Their folders are removed from the repository, with any config files in them. This cannot be undone here.</p>
        {orphans.length > 0 && (
          <p className="rounded-md bg-warn-soft px-2 py-1.5 text-warn" data-testid="delete-orphans">
            {orphans.length === 1 ? `${orphans[0]} was` : `${orphans.slice(0, 5).join(", ")}${orphans.length > 5 ? ` and ${orphans.length - 5} more` : ""} were`} cloned from what you delete; they keep
            their properties but lose the link to their parent.
          </p>
        )}
        <ErrorNote error={error} testId="delete-error" />
      </div>
    </Modal>
  );
}

export function RepositoryDialog({ mode }: { mode: "open" | "create" }) {
  const id = useId();
  const close = useUi((s) => s.closeDialog);
  const client = useQueryClient();
  const workspace = useWorkspace();
  const [path, setPath] = useState("");
  const [browseError, setBrowseError] = useState<Explained | null>(null);
  const go = useMutation({
    mutationFn: () => (mode === "create" ? backend.createRepository(path.trim()) : backend.openRepository(path.trim())),
    onSuccess: () => {
      const ui = useUi.getState();
      ui.reset();
      ui.log(`${mode === "create" ? "Created" : "Opened"} repository ${path.trim()}`);
      close();
      void client.invalidateQueries();
    },
  });
  const browse = async () => {
    setBrowseError(null);
    try {
      const picked = await systemDialogs.pickFolder(mode === "create" ? "Folder for the new repository" : "Open a poni repository", path.trim() || undefined);
      if (picked) setPath(picked);
    } catch (e) {
      setBrowseError(explain(e));
    }
  };
  const problem = !path.trim() ? "Choose a folder." : !path.trim().startsWith("/") && !/^[A-Za-z]:[\\/]/.test(path.trim()) && !path.trim().startsWith("~") ? "Give the full path of the folder (starting with /)." : undefined;
  return (
    <Modal
      open
      onOpenChange={(o) => !o && close()}
      title={mode === "create" ? "New repository" : "Open repository"}
      testId="repo-dialog"
      description={
        mode === "create"
          ? "A repository is a folder that holds your systems and nodes as plain files, which the poni command line reads too."
          : "Pick a folder that holds a poni repository (it has a repo.json file)."
      }
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" disabled={!!problem || go.isPending} onClick={() => go.mutate()} data-testid="repo-submit">
            {go.isPending && <Loader2 size={14} className="animate-spin" />}
            {mode === "create" ? "Create repository" : "Open"}
          </Button>
        </>
      }
    >
      <form
        className="flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          if (!problem) go.mutate();
        }}
      >
        <Field label="Folder" htmlFor={`${id}-path`} hint={workspace.data ? `The default repository is ${tildify(workspace.data.defaultRoot, workspace.data.defaultRoot)}.` : undefined}>
          <div className="flex gap-2">
            <Input id={`${id}-path`} autoFocus value={path} onChange={(e) => setPath(e.target.value)} placeholder={mode === "create" ? "/home/you/my-servers" : "/home/you/.poni/default"} data-testid="repo-path" />
            <Button icon={<FolderOpen size={14} />} onClick={browse} data-testid="repo-browse">
              Browse…
            </Button>
          </div>
        </Field>
        <ErrorNote error={browseError} testId="repo-browse-error" />
        <ErrorNote error={go.error ? explain(go.error) : null} testId="repo-error" />
      </form>
    </Modal>
  );
}
