// Key pair: the region's key pairs, each with whether its private key ~/.ssh/<name>.pem is
// here; "Create key pair" and "Import" make one without leaving the editor.
import { useMemo, useState } from "react";
import { useCloudReference } from "../../../lib/queries";
import { KeyRound, Plus, TriangleAlert, Upload } from "lucide-react";
import type { KeyPairFile } from "../../../bindings/KeyPairFile";
import type { KeyPairInfo } from "../../../bindings/KeyPairInfo";
import type { AccountList } from "../../../lib/account";
import { Button } from "../../ui";
import { Combobox, type ComboOption } from "../../ui/Combobox";
import { CreateKeyPairDialog, ImportKeyPairDialog } from "../../cloud/KeyPairDialogs";
import { NotFound, PickerRow } from "./common";

function option(kp: KeyPairInfo): ComboOption {
  return {
    value: kp.name,
    search: [kp.name, kp.keyPairId, kp.keyType].filter(Boolean).join(" "),
    label: (
      <span>
        <span className="font-medium">{kp.name}</span>
        {kp.keyType && <span className="ml-1.5 text-[11px] opacity-80">{kp.keyType}</span>}
      </span>
    ),
    detail: kp.file.exists ? `private key found: ${kp.file.path}` : `no private key at ${kp.file.path}`,
    testId: `keypair-option-${kp.name}`,
  };
}

export function KeyPairPicker({
  id,
  region,
  value,
  placeholder,
  invalid,
  list,
  saved,
  showStatus,
  onChange,
}: {
  id: string;
  region: string | null;
  value: string;
  placeholder: string;
  invalid?: boolean;
  list: AccountList<KeyPairInfo[]>;
  /** The saved key pair's file as the backend checked it (ItemDetail.keyPair). */
  saved: KeyPairFile | null;
  /** Nodes say whether the private key is here; systems do not. */
  showStatus: boolean;
  onChange: (value: string) => void;
}) {
  const [dialog, setDialog] = useState<"create" | "import" | null>(null);
  const pairs = list.data;
  const options = useMemo(() => (pairs ?? []).map(option), [pairs]);
  const typed = value.trim();
  const info = typed ? pairs?.find((k) => k.name === typed) : undefined;
  return (
    <>
      <PickerRow list={list} what="key pairs" testId="cloud-key-pair">
        <Combobox id={id} value={value} onChange={onChange} options={options} placeholder={placeholder} invalid={invalid} testId="cloud-key-pair" />
      </PickerRow>
      {pairs && typed && !info && !invalid && <NotFound value={typed} where={region ?? ""} testId="cloud-key-pair-not-found" />}
      {showStatus && <KeyFileStatus typed={typed} file={info?.file ?? (saved && saved.name === typed ? saved : null)} />}
      <div className="flex flex-wrap gap-1.5">
        <Button size="sm" variant="ghost" icon={<Plus size={13} />} disabled={!region} title={region ? undefined : "Pick a region first"} onClick={() => setDialog("create")} data-testid="cloud-key-pair-create">
          Create key pair
        </Button>
        <Button size="sm" variant="ghost" icon={<Upload size={13} />} disabled={!region} title={region ? undefined : "Pick a region first"} onClick={() => setDialog("import")} data-testid="cloud-key-pair-import">
          Import…
        </Button>
      </div>
      {dialog === "create" && region && <CreateKeyPairDialog region={region} onClose={() => setDialog(null)} onMade={(kp) => onChange(kp.name)} />}
      {dialog === "import" && region && <ImportKeyPairDialog region={region} onClose={() => setDialog(null)} onMade={(kp) => onChange(kp.name)} />}
    </>
  );
}

/** Whether the private key is on this computer (from the account's list, else from the saved node). */
function KeyFileStatus({ typed, file }: { typed: string; file: KeyPairFile | null }) {
  const template = useCloudReference().data?.keyFileTemplate ?? null;
  if (!typed) return null;
  if (!file) {
    return (
      <p className="text-[12px] text-muted" data-testid="key-pair-status" data-status="unsaved">
        {template ? `Save to check for ${template.replace("{name}", typed)}` : "Save to check for its private key"}
      </p>
    );
  }
  return file.exists ? (
    <p className="flex items-center gap-1 text-[12px] text-ok" data-testid="key-pair-status" data-status="found">
      <KeyRound size={12} className="shrink-0" /> <span className="truncate">Private key found: {file.path}</span>
    </p>
  ) : (
    <p className="flex items-start gap-1 text-[12px] text-warn" data-testid="key-pair-status" data-status="missing">
      <TriangleAlert size={12} className="mt-0.5 shrink-0" /> No private key at {file.path}. Copy the key pair's .pem file there before launching.
    </p>
  );
}
