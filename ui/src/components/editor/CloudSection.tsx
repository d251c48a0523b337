// The editor's Cloud section: provider, then pickers fed from the AWS account for the region in
// effect (region, image, instance type, key pair, security groups, subnet), and the login user.
// Every picker is also a text field, so nothing stops working while the account's lists load,
// fail, or lack a value the node already has (that value is kept, with a warning).
import { useId } from "react";
import { CheckCircle2, Cloud, Loader2, Settings as SettingsIcon, Sparkles, TriangleAlert } from "lucide-react";
import { KEY_PAIR_KEYS } from "../../bindings/core";
import type { ImageInfo } from "../../bindings/ImageInfo";
import type { ItemDetail } from "../../bindings/ItemDetail";
import type { JsonValue } from "../../bindings/serde_json/JsonValue";
import { useImages, useInstanceTypes, useKeyPairs, useRegions, useSecurityGroups, useSubnets, type AccountList } from "../../lib/account";
import { explain } from "../../lib/errors";
import { CLOUD_LABELS, showValue, type CloudField, type CloudForm } from "../../lib/props";
import type { CloudReference } from "../../bindings/CloudReference";
import { useUi } from "../../lib/store";
import { Button, Field, Input, SectionTitle, Select } from "../ui";
import { ImagePicker } from "./pickers/ImagePicker";
import { InstanceTypePicker } from "./pickers/InstanceTypePicker";
import { KeyPairPicker } from "./pickers/KeyPairPicker";
import { RegionPicker } from "./pickers/RegionPicker";
import { SecurityGroupsPicker } from "./pickers/SecurityGroupsPicker";
import { SubnetPicker } from "./pickers/SubnetPicker";

type Inherited = (key: string) => { value: JsonValue; from: string } | undefined;

export function CloudSection({
  detail,
  cloud,
  errors,
  onChange,
  reference,
  inherited,
  prefilled,
}: {
  detail: ItemDetail;
  cloud: CloudForm;
  errors: Partial<Record<CloudField, string>>;
  onChange: (f: CloudField, v: string) => void;
  reference: CloudReference;
  inherited: Inherited;
  /** Fields the editor filled in with a suggestion, not saved yet. */
  prefilled: CloudField[];
}) {
  const id = useId();
  const from = (key: string) => {
    const i = inherited(key);
    return i ? `${showValue(i.value)} (from ${i.from})` : undefined;
  };
  const effective = (field: CloudField, key: string) => cloud[field].trim() || (inherited(key) ? String(inherited(key)!.value ?? "") : "");
  const isNode = detail.kind === "node";
  const provider = effective("provider", "cloud.provider");
  const missing = [
    ["region", "cloud.region"],
    ["image", "cloud.image"],
    ["keyPair", "cloud.key-pair"],
    ["user", "user"],
  ]
    // The key pair under either spelling, set here or by a system: the core's `detail.keyPair`.
    .filter(([f, k]) => !effective(f as CloudField, k) && !(f === "keyPair" && detail.keyPair))
    .map(([f]) => CLOUD_LABELS[f as CloudField].toLowerCase());
  const anyCloud = Object.values(cloud).some((v) => v.trim()) || detail.inherited.some((i) => i.key.startsWith("cloud."));

  // The lists follow the region in effect (the node's own, else the inherited one).
  const region = effective("region", "cloud.region") || null;
  const regions = useRegions();
  const images = useImages(region);
  const imageId = effective("image", "cloud.image");
  const architecture = images.data?.find((i) => i.id === imageId)?.architecture ?? null;
  const types = useInstanceTypes(region, architecture);
  const keyPairs = useKeyPairs(region);
  const groups = useSecurityGroups(region);
  const subnets = useSubnets(region);

  const pickImage = (image: ImageInfo) => {
    onChange("image", image.id);
    // The image knows its usual login user; an empty, not inherited user takes it.
    if (!cloud.user.trim() && !inherited("user") && image.loginUser) onChange("user", image.loginUser);
  };
  const hint = (key: string, fallback: string) => from(key) ?? fallback;

  return (
    <section className="rounded-lg border border-line bg-panel p-3.5" data-testid="cloud-section">
      <SectionTitle
        right={
          isNode && (provider || anyCloud) ? (
            missing.length || !provider ? (
              <span className="text-[12px] text-warn" data-testid="launch-readiness">
                To launch, set: {[...(!provider ? ["provider"] : []), ...missing].join(", ")}
              </span>
            ) : (
              <span className="flex items-center gap-1 text-[12px] text-ok" data-testid="launch-readiness">
                <CheckCircle2 size={13} /> Ready to launch
              </span>
            )
          ) : null
        }
      >
        <span className="flex items-center gap-1.5">
          <Cloud size={13} /> Cloud
        </span>
      </SectionTitle>
      {!isNode && <p className="mb-3 text-[12px] text-muted">Values set on a system apply to every node inside it that does not set its own.</p>}
      {prefilled.length > 0 && (
        <p className="mb-2 flex items-start gap-1.5 text-[12px] text-muted" data-testid="cloud-prefilled">
          <Sparkles size={13} className="mt-0.5 shrink-0 text-accent" />
          <span>
            Suggested: {prefilled.map((f) => `${CLOUD_LABELS[f].toLowerCase()} ${cloud[f]}`).join(", ")}. Save to keep {prefilled.length === 1 ? "it" : "them"}, or change {prefilled.length === 1 ? "it" : "them"}.
          </span>
        </p>
      )}
      <ListsNote lists={[regions, images, types, keyPairs, groups, subnets]} region={region} />
      {/* Two columns only when the section itself is wide enough (not the window): the pickers need room. */}
      <div className="@container">
      <div className="grid grid-cols-1 gap-x-3 gap-y-2.5 @xl:grid-cols-2">
        <Field label="Provider" htmlFor={`${id}-provider`} testId="cloud-provider">
          {reference.providers.length ? (
            <Select id={`${id}-provider`} value={cloud.provider} onChange={(e) => onChange("provider", e.target.value)} data-testid="cloud-provider">
              <option value="">{from("cloud.provider") ? `(inherit: ${from("cloud.provider")})` : "(none)"}</option>
              {reference.providers.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
              {cloud.provider && !reference.providers.includes(cloud.provider) && <option value={cloud.provider}>{cloud.provider} (unknown)</option>}
            </Select>
          ) : (
            <Input id={`${id}-provider`} value={cloud.provider} onChange={(e) => onChange("provider", e.target.value)} placeholder={hint("cloud.provider", "aws-ec2")} data-testid="cloud-provider" />
          )}
        </Field>
        <Field label="Region" htmlFor={`${id}-region`} error={errors.region} hint={!regions.data && !reference.regions.length ? "Type a region code, e.g. us-east-1." : undefined} testId="cloud-region">
          <RegionPicker id={`${id}-region`} value={cloud.region} inherit={from("cloud.region")} invalid={!!errors.region} list={regions} fallback={reference.regions} onChange={(v) => onChange("region", v)} />
        </Field>
        <Field label="Image (AMI)" htmlFor={`${id}-image`} error={errors.image} testId="cloud-image">
          <ImagePicker id={`${id}-image`} region={region} value={cloud.image} placeholder={hint("cloud.image", images.data?.length ? "Type to search: ubuntu, debian, ami-…" : "ami-0abc1234")} invalid={!!errors.image} list={images} onChange={(v) => onChange("image", v)} onPick={pickImage} />
        </Field>
        <Field label="Key pair" htmlFor={`${id}-keyPair`} error={errors.keyPair} testId="cloud-key-pair">
          <KeyPairPicker
            id={`${id}-keyPair`}
            region={region}
            value={cloud.keyPair}
            placeholder={KEY_PAIR_KEYS.map(from).find(Boolean) ?? "my-keypair"}
            invalid={!!errors.keyPair}
            list={keyPairs}
            saved={detail.keyPair}
            showStatus={isNode}
            onChange={(v) => onChange("keyPair", v)}
          />
        </Field>
        <Field label="Instance type" htmlFor={`${id}-type`} hint="Several, separated by commas, are tried in order." testId="cloud-type">
          <InstanceTypePicker
            id={`${id}-type`}
            region={region}
            architecture={architecture}
            value={cloud.type}
            placeholder={hint("cloud.type", reference.defaultInstanceType ? `${reference.defaultInstanceType} (default)` : "t3.micro")}
            list={types}
            onChange={(v) => onChange("type", v)}
          />
        </Field>
        <Field label="Security groups" htmlFor={`${id}-securityGroups`} hint="Names or ids, separated by commas. Empty uses the default group." testId="cloud-security-groups">
          <SecurityGroupsPicker id={`${id}-securityGroups`} region={region} value={cloud.securityGroups} placeholder={hint("cloud.security_groups", "default, web")} list={groups} onChange={(v) => onChange("securityGroups", v)} />
        </Field>
        <Field label="Subnet" htmlFor={`${id}-subnet`} error={errors.subnet} testId="cloud-subnet">
          <SubnetPicker id={`${id}-subnet`} region={region} value={cloud.subnet} placeholder={hint("cloud.subnet", "subnet-0abc1234 or its Name tag")} invalid={!!errors.subnet} list={subnets} onChange={(v) => onChange("subnet", v)} />
        </Field>
        <Field label="Login user" htmlFor={`${id}-user`} error={errors.user} hint="The user name for SSH, e.g. ec2-user, ubuntu or root." testId="cloud-user">
          <Input id={`${id}-user`} value={cloud.user} onChange={(e) => onChange("user", e.target.value)} placeholder={hint("user", "ec2-user")} invalid={!!errors.user} data-testid="cloud-user" />
        </Field>
      </div>
      </div>
    </section>
  );
}

/**
 * One line per distinct reason the account's lists are not there (no credentials, no network...),
 * with the way to Settings; the fields meanwhile take typed values.
 */
function ListsNote({ lists, region }: { lists: AccountList<unknown>[]; region: string | null }) {
  const failures = new Map<string, ReturnType<typeof explain>>();
  for (const l of lists) {
    if (!l.error) continue;
    const e = explain(l.error);
    if (!failures.has(e.code)) failures.set(e.code, e);
  }
  const loading = lists.some((l) => l.loading);
  const openSettings = () => useUi.getState().openDialog({ kind: "settings", focus: "credentials" });
  return (
    <div className="mb-2 flex flex-col gap-1 empty:hidden">
      {[...failures.values()].map((e) => (
        <div key={e.code} className="flex items-center gap-2 rounded-md bg-warn-soft px-2.5 py-1 text-[12px]" role="status" data-testid="cloud-lists-note" data-code={e.code}>
          <TriangleAlert size={13} className="shrink-0 text-warn" />
          <span className="line-clamp-2 min-w-0 flex-1" title={e.hint ? `${e.message}\n${e.hint}` : e.message}>
            {e.message.replace(/\.$/, "")}: the lists of the account cannot be shown, type values by hand.
          </span>
          <Button size="sm" variant="ghost" icon={<SettingsIcon size={13} />} onClick={openSettings} data-testid="cloud-lists-open-settings">
            Settings
          </Button>
        </div>
      ))}
      {/* One line either way, so the fields below never move when the lists arrive (a click
          aimed at a field must land on it). */}
      {loading && failures.size === 0 && (
        <p className="flex h-[18px] items-center gap-1.5 text-[12px] text-muted" data-testid="cloud-lists-loading">
          <Loader2 size={12} className="animate-spin" /> Reading the account's lists{region ? ` for ${region}` : ""}…
        </p>
      )}
      {!loading && region && failures.size === 0 && (
        <p className="flex h-[18px] items-center text-[12px] text-faint" data-testid="cloud-lists-ready">
          The choices below are read from the account ({region}).
        </p>
      )}
      {!region && failures.size === 0 && (
        <p className="text-[12px] text-muted" data-testid="cloud-lists-need-region">
          Pick a region to choose from the account's images, key pairs, security groups and subnets.
        </p>
      )}
    </div>
  );
}
