// Shows the dialog the UI state asks for.
import { useUi } from "../../lib/store";
import type { TreeModel } from "../../lib/treeModel";
import { NodesDialog } from "./NodesDialog";
import { DeleteDialog, NewSystemDialog, RenameDialog, RepositoryDialog } from "./SimpleDialogs";
import { SettingsDialog } from "./SettingsDialog";
import { ConfirmCloudDialog, LaunchDialog, WaitDialog } from "../cloud/CloudDialogs";
import { SnapshotsDialog } from "../cloud/SnapshotsDialog";

export function DialogHost({ model }: { model: TreeModel | null }) {
  const dialog = useUi((s) => s.dialog);
  if (!dialog) return null;
  switch (dialog.kind) {
    case "repository":
      return <RepositoryDialog mode={dialog.mode} />;
    case "settings":
      return <SettingsDialog focus={dialog.focus} signIn={dialog.signIn} />;
    case "launch":
      return <LaunchDialog scope={dialog.scope} reinit={dialog.reinit} />;
    case "cloud-confirm":
      return <ConfirmCloudDialog scope={dialog.scope} action={dialog.action} snapshot={dialog.snapshot} />;
    case "cloud-wait":
      return <WaitDialog scope={dialog.scope} />;
    case "snapshots":
      return <SnapshotsDialog scope={dialog.scope} />;
  }
  if (!model) return null;
  switch (dialog.kind) {
    case "new-node":
      return <NodesDialog mode="new" model={model} initialSystem={dialog.system} />;
    case "clone":
      return <NodesDialog mode="clone" model={model} initialParent={dialog.parent} />;
    case "new-system":
      return <NewSystemDialog model={model} initialParent={dialog.parent} />;
    case "rename":
      return <RenameDialog model={model} name={dialog.name} />;
    case "delete":
      return <DeleteDialog model={model} names={dialog.names} />;
  }
}
