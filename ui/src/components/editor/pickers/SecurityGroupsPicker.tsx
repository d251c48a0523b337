// Security groups: several of the region's groups, each with its inbound rules in words; the
// text stays the saved list (names or ids, separated by commas). "Allow SSH" opens port 22.
import { useMemo, useState } from "react";
import { ShieldCheck } from "lucide-react";
import type { SecurityGroupInfo } from "../../../bindings/SecurityGroupInfo";
import type { AccountList } from "../../../lib/account";
import { splitList } from "../../../lib/props";
import { Button } from "../../ui";
import { Combobox, type ComboOption } from "../../ui/Combobox";
import { AllowSshDialog } from "../../cloud/AllowSshDialog";
import { NotFound, PickerRow } from "./common";

const is = (g: SecurityGroupInfo, entry: string) => entry === g.id || entry === g.name;

/** How a group is written into the list: its name, unless another group of the region has it too. */
function entryFor(g: SecurityGroupInfo, all: SecurityGroupInfo[]): string {
  return all.filter((o) => o.name === g.name).length > 1 ? g.id : g.name;
}

export function SecurityGroupsPicker({
  id,
  region,
  value,
  placeholder,
  list,
  onChange,
}: {
  id: string;
  region: string | null;
  value: string;
  placeholder: string;
  list: AccountList<SecurityGroupInfo[]>;
  onChange: (value: string) => void;
}) {
  const [allowing, setAllowing] = useState(false);
  const groups = list.data;
  const chosen = splitList(value);
  const options = useMemo<ComboOption[]>(
    () =>
      (groups ?? []).map((g) => ({
        value: g.id,
        search: `${g.name} ${g.id} ${g.vpcId ?? ""} ${g.description}`,
        label: (
          <span>
            <span className="font-medium">{g.name}</span> <span className="font-mono text-[11px] opacity-80">{g.id}</span>
          </span>
        ),
        detail: g.summary.length ? g.summary.join(" · ") : "no inbound rules",
        testId: `sg-option-${g.id}`,
      })),
    [groups],
  );
  const toggle = (groupId: string, query: string) => {
    const all = groups ?? [];
    const g = all.find((x) => x.id === groupId);
    if (!g) return;
    let list = splitList(value);
    // The entry being typed was only a filter: it gives way to the group picked.
    if (query && list[list.length - 1] === query && !all.some((x) => is(x, query))) list = list.slice(0, -1);
    list = list.some((e) => is(g, e)) ? list.filter((e) => !is(g, e)) : [...list, entryFor(g, all)];
    onChange(list.join(", "));
  };
  const add = (g: SecurityGroupInfo) => {
    const all = [...(groups ?? []).filter((x) => x.id !== g.id), g];
    if (!chosen.some((e) => is(g, e))) onChange([...chosen, entryFor(g, all)].join(", "));
  };
  const missing = groups ? chosen.filter((e) => !groups.some((g) => is(g, e))) : [];
  const firstChosen = groups?.find((g) => chosen.some((e) => is(g, e)));
  return (
    <>
      <PickerRow list={list} what="security groups" testId="cloud-security-groups">
        <Combobox
          id={id}
          value={value}
          onChange={onChange}
          onPick={(o, query) => toggle(o.value, query)}
          isSelected={(o) => {
            const g = groups?.find((x) => x.id === o.value);
            return !!g && chosen.some((e) => is(g, e));
          }}
          multiple
          options={options}
          placeholder={placeholder}
          testId="cloud-security-groups"
        />
      </PickerRow>
      {groups && chosen.length > 0 && (
        <ul className="flex flex-col gap-0.5 text-[12px]" data-testid="cloud-security-groups-chosen">
          {chosen.map((e) => {
            const g = groups.find((x) => is(x, e));
            if (!g) return null;
            return (
              <li key={e} className="flex min-w-0 items-baseline gap-1.5" data-testid={`cloud-sg-chosen-${e}`}>
                <span className="shrink-0 font-medium">{g.name}</span>
                {g.allowsSsh && <span className="shrink-0 rounded bg-ok-soft px-1 text-[11px] text-ok">SSH</span>}
                <span className="min-w-0 truncate text-muted" title={g.summary.join("\n")}>
                  {g.summary.length ? g.summary.join(" · ") : "no inbound rules"}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {missing.length > 0 && <NotFound value={missing.join(", ")} where={region ?? ""} testId="cloud-security-groups-not-found" />}
      <div className="flex flex-wrap gap-1.5">
        <Button
          size="sm"
          variant="ghost"
          icon={<ShieldCheck size={13} />}
          disabled={!region || !groups}
          title={!region ? "Pick a region first" : !groups ? "Needs the region's security groups" : undefined}
          onClick={() => setAllowing(true)}
          data-testid="cloud-allow-ssh"
        >
          Allow SSH…
        </Button>
      </div>
      {allowing && region && groups && <AllowSshDialog region={region} groups={groups} initialGroupId={firstChosen?.id} onClose={() => setAllowing(false)} onDone={add} />}
    </>
  );
}
