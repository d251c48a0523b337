// Making a key pair from the editor: create one in the region (the core saves the private key
// to ~/.ssh/<name>.pem and never overwrites a file), or import one of the ~/.ssh/*.pub keys.
// Either way the new key pair is selected for the node, and the dialog says where the key is.
import { useId, useState } from "react";
import { useCloudReference } from "../../lib/queries";
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { CheckCircle2, KeyRound, Loader2, TriangleAlert, Upload } from "lucide-react";
import type { KeyPairInfo } from "../../bindings/KeyPairInfo";
import { accountKeys } from "../../lib/queryKeys";
import { backend } from "../../lib/backend";
import { explain } from "../../lib/errors";
import { useUi } from "../../lib/store";
import { Button, ErrorNote, Field, Input, Modal, Select } from "../ui";

/** Puts the new key pair into the region's cached list at once (no refetch needed). */
function remember(client: QueryClient, region: string, kp: KeyPairInfo) {
  client.setQueryData<KeyPairInfo[]>(accountKeys.keyPairs(region), (old) => [...(old ?? []).filter((k) => k.name !== kp.name), kp]);
}

/** What the dialog shows once the key pair exists: where its private key is. */
function Made({ kp, region, imported }: { kp: KeyPairInfo; region: string; imported: boolean }) {
  return (
    <div className="flex flex-col gap-2 text-[13px]" data-testid={imported ? "keypair-imported" : "keypair-created"}>
      <p className="flex items-start gap-1.5">
        <CheckCircle2 size={15} className="mt-0.5 shrink-0 text-ok" />
        <span>
          {imported ? "Imported" : "Created"} the key pair <b>{kp.name}</b> in {region}, and selected it for this node (save to keep it).
        </span>
      </p>
      {kp.file.exists ? (
        <p className="rounded-md bg-ok-soft px-2.5 py-1.5" data-selectable>
          Private key: <span className="font-mono break-all" data-testid="keypair-made-path">{kp.file.path}</span>
          {!imported && <span className="block text-[12px] text-muted">Keep this file: AWS cannot give the private key again.</span>}
        </p>
      ) : (
        <p className="flex items-start gap-1.5 rounded-md bg-warn-soft px-2.5 py-1.5 text-warn" data-selectable>
          <TriangleAlert size={13} className="mt-0.5 shrink-0" />
          <span>
            No private key at <span className="font-mono break-all" data-testid="keypair-made-path">{kp.file.path}</span>: to log in, put the private key that goes with it there.
          </span>
        </p>
      )}
    </div>
  );
}

export function CreateKeyPairDialog({ region, onClose, onMade }: { region: string; onClose: () => void; onMade: (kp: KeyPairInfo) => void }) {
  // Where the core keeps private keys (`~/.ssh/{name}.pem`), for the hint.
  const keyFile = useCloudReference().data?.keyFileTemplate ?? null;
  const id = useId();
  const client = useQueryClient();
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: () => backend.createKeyPair(region, name.trim()),
    onSuccess: (kp) => {
      remember(client, region, kp);
      useUi.getState().log(`Created the key pair '${kp.name}' in ${region}; private key saved to ${kp.file.path}`);
      onMade(kp);
    },
  });
  const made = create.data;
  return (
    <Modal
      open
      onOpenChange={(o) => !o && onClose()}
      title={`New key pair in ${region}`}
      description="AWS makes the key pair; its private key is saved in your ~/.ssh folder, readable only by you."
      testId="keypair-create-dialog"
      footer={
        made ? (
          <Button variant="primary" onClick={onClose} data-testid="keypair-done">
            Done
          </Button>
        ) : (
          <>
            <Button onClick={onClose} data-testid="keypair-cancel">
              Cancel
            </Button>
            <Button
              variant="primary"
              icon={create.isPending ? <Loader2 size={14} className="animate-spin" /> : <KeyRound size={14} />}
              disabled={!name.trim() || create.isPending}
              onClick={() => create.mutate()}
              data-testid="keypair-create-confirm"
            >
              Create key pair
            </Button>
          </>
        )
      }
    >
      {made ? (
        <Made kp={made} region={region} imported={false} />
      ) : (
        <form
          className="flex flex-col gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) create.mutate();
          }}
        >
          <Field label="Name" htmlFor={`${id}-name`} hint={name.trim() && keyFile ? `The private key goes to ${keyFile.replace("{name}", name.trim())}` : "For example: web-servers"}>
            <Input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} autoFocus placeholder="my-keypair" data-testid="keypair-name" />
          </Field>
          <ErrorNote error={create.error ? explain(create.error) : null} testId="keypair-create-error" />
        </form>
      )}
    </Modal>
  );
}

export function ImportKeyPairDialog({ region, onClose, onMade }: { region: string; onClose: () => void; onMade: (kp: KeyPairInfo) => void }) {
  const id = useId();
  const client = useQueryClient();
  const keys = useQuery({ queryKey: accountKeys.publicKeys, queryFn: backend.localPublicKeys, staleTime: 0 });
  const [path, setPath] = useState("");
  const [name, setName] = useState<string | null>(null);
  const files = keys.data ?? [];
  const chosen = path || files[0]?.path || "";
  const file = files.find((f) => f.path === chosen);
  // The file's name (without .pub) until a name is typed.
  const keyName = name ?? file?.name.replace(/\.pub$/, "") ?? "";
  const upload = useMutation({
    mutationFn: () => backend.importKeyPair(region, keyName.trim(), chosen),
    onSuccess: (kp) => {
      remember(client, region, kp);
      useUi.getState().log(`Imported ${chosen} as the key pair '${kp.name}' in ${region}`);
      onMade(kp);
    },
  });
  const made = upload.data;
  return (
    <Modal
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Import a key pair into ${region}`}
      description="Sends one of your public keys (~/.ssh/*.pub) to AWS; the private key stays on this computer."
      testId="keypair-import-dialog"
      footer={
        made ? (
          <Button variant="primary" onClick={onClose} data-testid="keypair-done">
            Done
          </Button>
        ) : (
          <>
            <Button onClick={onClose} data-testid="keypair-cancel">
              Cancel
            </Button>
            <Button
              variant="primary"
              icon={upload.isPending ? <Loader2 size={14} className="animate-spin" /> : <Upload size={14} />}
              disabled={!chosen || !keyName.trim() || upload.isPending}
              onClick={() => upload.mutate()}
              data-testid="keypair-import-confirm"
            >
              Import
            </Button>
          </>
        )
      }
    >
      {made ? (
        <Made kp={made} region={region} imported />
      ) : keys.isPending ? (
        <p className="flex items-center gap-2 text-muted">
          <Loader2 size={14} className="animate-spin" /> Looking in ~/.ssh…
        </p>
      ) : keys.error ? (
        <ErrorNote error={explain(keys.error)} testId="keypair-import-error" />
      ) : files.length === 0 ? (
        <p className="text-[13px] text-muted" data-testid="keypair-import-none">
          There is no public key (.pub file) in ~/.ssh. Create a key pair instead: the app makes one for you.
        </p>
      ) : (
        <div className="flex flex-col gap-3">
          <Field label="Public key" htmlFor={`${id}-file`}>
            <Select id={`${id}-file`} value={chosen} onChange={(e) => setPath(e.target.value)} data-testid="keypair-import-file">
              {files.map((f) => (
                <option key={f.path} value={f.path} data-testid={`keypair-import-file-${f.name}`}>
                  {f.path}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Name in AWS" htmlFor={`${id}-name`}>
            <Input id={`${id}-name`} value={keyName} onChange={(e) => setName(e.target.value)} data-testid="keypair-import-name" />
          </Field>
          <ErrorNote error={upload.error ? explain(upload.error) : null} testId="keypair-import-error" />
        </div>
      )}
    </Modal>
  );
}
