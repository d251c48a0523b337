// The ways into a node or a selection after launch, as buttons: Connect (a terminal tab), Open in
// my terminal (the user's own program), Run command… and Copy files… (a run tab).
import { ExternalLink, Terminal, TerminalSquare, Upload } from "lucide-react";
import { remoteActions, selectionNodes } from "../../lib/remote";
import { useUi } from "../../lib/store";
import type { TreeModel } from "../../lib/treeModel";
import { Button } from "../ui";

/** Connect and Open in my terminal, for one node. */
export function ConnectButtons({ node, compact }: { node: string; compact?: boolean }) {
  return (
    <>
      <Button size="sm" icon={<Terminal size={13} />} onClick={() => remoteActions.connect(node)} title="Open a shell on the node in a tab here" data-testid="node-connect">
        Connect
      </Button>
      <Button
        size="sm"
        iconOnly={compact}
        aria-label={compact ? "Open in my terminal" : undefined}
        icon={<ExternalLink size={13} />}
        onClick={() => void remoteActions.openInMyTerminal(node)}
        title="Open the node's ssh in your own terminal program"
        data-testid="node-open-terminal"
      >
        {compact ? "" : "Open in my terminal"}
      </Button>
    </>
  );
}

/** Run command… and Copy files… on the nodes of these items (a node, a system, a selection). */
export function RunButtons({ model, names }: { model: TreeModel; names: string[] }) {
  return (
    <>
      <Button size="sm" icon={<TerminalSquare size={13} />} onClick={() => remoteActions.runCommand(model, names)} data-testid="run-command-open">
        Run command…
      </Button>
      <Button size="sm" icon={<Upload size={13} />} onClick={() => remoteActions.copyFiles(model, names)} data-testid="copy-files-open">
        Copy files…
      </Button>
    </>
  );
}

/** The inspector's section: for a node Connect and its terminal, for it (or the selection it is in) or a system, Run and Copy. */
export function RemoteSection({ model, name }: { model: TreeModel; name: string }) {
  const selected = useUi((s) => s.selected);
  const item = model.byName.get(name);
  const names = selected.length > 1 && selected.includes(name) ? selected : [name];
  if (!item || selectionNodes(model, names).length === 0) return null;
  return (
    <section data-testid="inspector-remote">
      <h3 className="mb-1 flex items-center gap-1.5 text-[11px] font-semibold tracking-wide text-muted uppercase">
        <Terminal size={12} /> {names.length > 1 ? `On the ${names.length} selected` : item.kind === "node" ? "On the machine" : "On its nodes"}
      </h3>
      <div className="flex flex-wrap gap-1.5">
        {item.kind === "node" && names.length === 1 && <ConnectButtons node={name} />}
        <RunButtons model={model} names={names} />
      </div>
    </section>
  );
}
