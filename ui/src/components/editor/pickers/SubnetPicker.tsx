// Subnet: the region's subnets with their Name tag, id, zone, network (VPC) and whether
// instances there get a public IP. The saved value is the id (a Name tag typed by hand works too).
import { useMemo } from "react";
import type { SubnetInfo } from "../../../bindings/SubnetInfo";
import type { AccountList } from "../../../lib/account";
import { Combobox, type ComboOption } from "../../ui/Combobox";
import { NotFound, PickerRow } from "./common";

function PublicIp() {
  return <span className="ml-1.5 rounded bg-accent-soft px-1 text-[11px] text-accent">public IP</span>;
}

export function SubnetPicker({
  id,
  region,
  value,
  placeholder,
  invalid,
  list,
  onChange,
}: {
  id: string;
  region: string | null;
  value: string;
  placeholder: string;
  invalid?: boolean;
  list: AccountList<SubnetInfo[]>;
  onChange: (value: string) => void;
}) {
  const subnets = list.data;
  const options = useMemo<ComboOption[]>(
    () =>
      (subnets ?? []).map((s) => ({
        value: s.id,
        search: [s.name, s.id, s.zone, s.vpcId, s.cidr].filter(Boolean).join(" "),
        label: (
          <span>
            <span className="font-medium">{s.name ?? s.id}</span>
            {s.publicIpOnLaunch && <PublicIp />}
          </span>
        ),
        detail: <span className="font-mono">{[s.name ? s.id : null, s.zone, s.vpcId, s.cidr, s.defaultForZone ? "default" : null].filter(Boolean).join(" · ")}</span>,
        testId: `subnet-option-${s.id}`,
      })),
    [subnets],
  );
  const typed = value.trim();
  const picked = typed ? subnets?.find((s) => s.id === typed || s.name === typed) : undefined;
  return (
    <>
      <PickerRow list={list} what="subnets" testId="cloud-subnet">
        <Combobox id={id} value={value} onChange={onChange} options={options} placeholder={placeholder} invalid={invalid} testId="cloud-subnet" />
      </PickerRow>
      {picked ? (
        <p className="truncate text-[12px] text-muted" data-testid="cloud-subnet-info">
          {picked.name ?? picked.id} · {picked.zone} · {picked.vpcId}
          {picked.publicIpOnLaunch ? " · public IP" : " · no public IP"}
        </p>
      ) : (
        subnets && typed && !invalid && <NotFound value={typed} where={region ?? ""} testId="cloud-subnet-not-found" />
      )}
    </>
  );
}
