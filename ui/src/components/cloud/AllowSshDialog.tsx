// "Allow SSH": opens TCP port 22 from an address range, in an existing security group or in a
// new one, then selects that group for the node. The core checks the range; the dialog only
// warns, as you type, when it is the whole internet.
import { useId, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, Loader2, ShieldCheck, TriangleAlert } from "lucide-react";
import type { SecurityGroupInfo } from "../../bindings/SecurityGroupInfo";
import { accountKeys } from "../../lib/queryKeys";
import { backend } from "../../lib/backend";
import { explain } from "../../lib/errors";
import { useUi } from "../../lib/store";
import { Button, ErrorNote, Field, Input, Modal, Select } from "../ui";

const NEW = "";
const anywhere = (cidr: string) => cidr === "0.0.0.0/0" || cidr === "::/0";

export function AllowSshDialog({
  region,
  groups,
  initialGroupId,
  onClose,
  onDone,
}: {
  region: string;
  groups: SecurityGroupInfo[];
  initialGroupId?: string;
  onClose: () => void;
  onDone: (group: SecurityGroupInfo) => void;
}) {
  const id = useId();
  const client = useQueryClient();
  const [groupId, setGroupId] = useState(initialGroupId ?? NEW);
  const [name, setName] = useState("poni-ssh");
  const [cidr, setCidr] = useState("");
  const range = cidr.trim();
  const isNew = groupId === NEW;
  const allow = useMutation({
    mutationFn: () => backend.allowSsh({ region, groupId: isNew ? null : groupId, name: isNew ? name.trim() : null, cidr: range }),
    onSuccess: (r) => {
      client.setQueryData<SecurityGroupInfo[]>(accountKeys.securityGroups(region), (old) => [...(old ?? []).filter((g) => g.id !== r.group.id), r.group]);
      useUi.getState().log(`SSH allowed from ${range} in the security group ${r.group.name} (${r.group.id}), ${region}`, r.warning ? "warn" : "info");
      onDone(r.group);
    },
  });
  const done = allow.data;
  const problem = !range ? "Enter the address range SSH may come from." : isNew && !name.trim() ? "Name the new group." : undefined;
  return (
    <Modal
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Allow SSH in ${region}`}
      description="Adds a rule that lets SSH (TCP port 22) in from the addresses you give."
      testId="allow-ssh-dialog"
      footer={
        done ? (
          <Button variant="primary" onClick={onClose} data-testid="allow-ssh-done">
            Done
          </Button>
        ) : (
          <>
            <Button onClick={onClose} data-testid="allow-ssh-cancel">
              Cancel
            </Button>
            <Button
              variant="primary"
              icon={allow.isPending ? <Loader2 size={14} className="animate-spin" /> : <ShieldCheck size={14} />}
              disabled={!!problem || allow.isPending}
              title={problem}
              onClick={() => allow.mutate()}
              data-testid="allow-ssh-confirm"
            >
              Allow SSH
            </Button>
          </>
        )
      }
    >
      {done ? (
        <div className="flex flex-col gap-2 text-[13px]" data-testid="allow-ssh-result">
          <p className="flex items-start gap-1.5">
            <CheckCircle2 size={15} className="mt-0.5 shrink-0 text-ok" />
            <span>
              SSH is open from <span className="font-mono">{range}</span> in {done.created ? "the new group" : "the group"} <b>{done.group.name}</b>{" "}
              <span className="font-mono text-muted">({done.group.id})</span>, selected for this node (save to keep it).
            </span>
          </p>
          {done.warning && (
            <p className="flex items-start gap-1.5 rounded-md bg-warn-soft px-2.5 py-1.5 text-warn" data-testid="allow-ssh-warning">
              <TriangleAlert size={13} className="mt-0.5 shrink-0" /> {done.warning}
            </p>
          )}
        </div>
      ) : (
        <form
          className="flex flex-col gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (!problem) allow.mutate();
          }}
        >
          <Field label="Security group" htmlFor={`${id}-group`}>
            <Select id={`${id}-group`} value={groupId} onChange={(e) => setGroupId(e.target.value)} data-testid="allow-ssh-group">
              <option value={NEW} data-testid="allow-ssh-group-new">
                A new group…
              </option>
              {groups.map((g) => (
                <option key={g.id} value={g.id} data-testid={`allow-ssh-group-option-${g.id}`}>
                  {g.name} ({g.id}){g.allowsSsh ? " · SSH open already" : ""}
                </option>
              ))}
            </Select>
          </Field>
          {isNew && (
            <Field label="Name of the new group" htmlFor={`${id}-name`} hint="Made in the region's default network (VPC).">
              <Input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} data-testid="allow-ssh-name" />
            </Field>
          )}
          <Field
            label="From (address range)"
            htmlFor={`${id}-cidr`}
            hint={anywhere(range) ? undefined : "Best: your own address followed by /32, e.g. 198.51.100.7/32 (a search for \"what is my IP\" shows it); or your network, e.g. 203.0.113.0/24."}
          >
            <Input id={`${id}-cidr`} value={cidr} onChange={(e) => setCidr(e.target.value)} placeholder="198.51.100.7/32" className="font-mono" autoFocus data-testid="allow-ssh-cidr" />
          </Field>
          {anywhere(range) && (
            <p className="flex items-start gap-1.5 rounded-md bg-warn-soft px-2.5 py-1.5 text-[12px] text-warn" role="alert" data-testid="allow-ssh-open-warning">
              <TriangleAlert size={13} className="mt-0.5 shrink-0" />
              <span>{range} is the whole internet: anyone can try to log in. Prefer your own address with /32.</span>
            </p>
          )}
          <ErrorNote error={allow.error ? explain(allow.error) : null} testId="allow-ssh-error" />
        </form>
      )}
    </Modal>
  );
}
