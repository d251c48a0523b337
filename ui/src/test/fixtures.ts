// Test data: the seed document's drumbo nodes and a webshop tree, as the backend shapes them.
import type { AccountInstance } from "../bindings/AccountInstance";
import type { AccountStatus } from "../bindings/AccountStatus";
import type { FleetWall } from "../bindings/FleetWall";
import type { WallAccount } from "../bindings/WallAccount";
import type { WallRow } from "../bindings/WallRow";
import type { ImageInfo } from "../bindings/ImageInfo";
import type { InstanceTypeInfo } from "../bindings/InstanceTypeInfo";
import type { KeyPairInfo } from "../bindings/KeyPairInfo";
import type { RegionList } from "../bindings/RegionList";
import type { SandboxStatus } from "../bindings/SandboxStatus";
import type { SecurityGroupInfo } from "../bindings/SecurityGroupInfo";
import type { SubnetInfo } from "../bindings/SubnetInfo";
import type { ItemDetail } from "../bindings/ItemDetail";
import type { TreeItem } from "../bindings/TreeItem";
import type { TreeView } from "../bindings/TreeView";

export function item(name: string, kind: "system" | "node", extra: Partial<TreeItem> = {}): TreeItem {
  const parts = name.split("/");
  return {
    name,
    label: parts[parts.length - 1],
    kind,
    depth: parts.length,
    system: parts.length > 1 ? parts.slice(0, -1).join("/") : null,
    cloneOf: null,
    instance: null,
    region: null,
    childCount: 0,
    problem: null,
    ...extra,
  };
}

export function view(items: TreeItem[]): TreeView {
  const nodeCount = items.filter((i) => i.kind === "node").length;
  return { root: "/tmp/repo", items, nodeCount, systemCount: items.length - nodeCount };
}

export const demoTree = view([
  item("drumbo1", "node", { region: "us-east-1", instance: "i-4c92cd21" }),
  item("drumbo2", "node", { region: "us-east-1", cloneOf: "drumbo1" }),
  item("drumbo3", "node", { region: "us-east-1", cloneOf: "drumbo1" }),
  item("webshop", "system", { childCount: 2 }),
  item("webshop/backend", "system", { childCount: 1, region: "eu-west-1" }),
  item("webshop/backend/db1", "node", { region: "eu-west-1" }),
  item("webshop/frontend", "system", { childCount: 2 }),
  item("webshop/frontend/http01", "node"),
  item("webshop/frontend/http02", "node", { cloneOf: "webshop/frontend/http01" }),
]);

export function bigTree(systems: number, perSystem: number): TreeView {
  const items: TreeItem[] = [];
  for (let s = 0; s < systems; s++) {
    const sys = `sys${String(s).padStart(3, "0")}`;
    items.push(item(sys, "system", { childCount: perSystem }));
    for (let n = 0; n < perSystem; n++) items.push(item(`${sys}/node${String(n).padStart(4, "0")}`, "node"));
  }
  return view(items);
}

export function detail(name: string, props: ItemDetail["props"], extra: Partial<ItemDetail> = {}): ItemDetail {
  return {
    name,
    kind: "node",
    file: `/tmp/repo/system/${name}/node.json`,
    props,
    computed: { index: 0, depth: name.split("/").length },
    inherited: [],
    cloneOf: null,
    clones: [],
    problem: null,
    keyPair: null,
    // As the core answers it: poni 0.8's spelling when that is the one the node has.
    keyPairKey: props.cloud && typeof props.cloud === "object" && !Array.isArray(props.cloud) && !("key-pair" in props.cloud) && "key_pair" in props.cloud ? "cloud.key_pair" : "cloud.key-pair",
    ...extra,
  };
}

// ---------- the AWS account, as the core reports it ----------

export const account: AccountStatus = {
  identity: { account: "123456789012", arn: "arn:aws:iam::123456789012:user/ann", userId: "AIDAEXAMPLE" },
  endpoint: null,
  sandbox: false,
  source: { kind: "profile", name: "work", accessKeyId: "AKIAIOSFODNN7EXAMPLE", chosenExplicitly: true, description: "AWS profile 'work'" },
  error: null,
  fix: null,
  label: "AWS account 123456789012 (arn:aws:iam::123456789012:user/ann)",
};

export const regionList: RegionList = {
  regions: [
    { code: "us-east-1", name: "US East (N. Virginia)" },
    { code: "eu-west-1", name: "Europe (Ireland)" },
  ],
  suggested: "eu-west-1",
};

export const images: ImageInfo[] = [
  { id: "ami-0aa11bb22cc33dd44", name: "al2023-ami-2023.5.20240701.0-kernel-6.1-x86_64", description: null, architecture: "x86_64", creationDate: "2024-07-01T10:00:00Z", source: "quickStart", family: "Amazon Linux 2023", loginUser: "ec2-user" },
  { id: "ami-0bb22cc33dd44ee55", name: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20240701", description: null, architecture: "arm64", creationDate: "2024-07-01T11:00:00Z", source: "quickStart", family: "Ubuntu 24.04 LTS", loginUser: "ubuntu" },
  { id: "ami-12c6146b", name: "drumbo-base", description: "our own image", architecture: "x86_64", creationDate: "2024-05-01T09:00:00Z", source: "owned", family: null, loginUser: null },
];

export const instanceTypes: InstanceTypeInfo[] = [
  { name: "t3.micro", vcpus: 2, memoryMib: 1024, architectures: ["x86_64"] },
  { name: "t3.small", vcpus: 2, memoryMib: 2048, architectures: ["x86_64"] },
  { name: "t4g.micro", vcpus: 2, memoryMib: 1024, architectures: ["arm64"] },
];

export function keyPair(name: string, exists: boolean): KeyPairInfo {
  return { name, keyPairId: `key-${name}`, fingerprint: null, keyType: "ed25519", file: { name, path: `/home/me/.ssh/${name}.pem`, exists } };
}

export const securityGroups: SecurityGroupInfo[] = [
  { id: "sg-0def", name: "default", description: "default VPC security group", vpcId: "vpc-1", inbound: [], summary: ["all traffic from sg-0def"], allowsSsh: false },
  { id: "sg-0web", name: "web", description: "web servers", vpcId: "vpc-1", inbound: [], summary: ["HTTP from 0.0.0.0/0", "SSH from 203.0.113.0/24"], allowsSsh: true },
];

export const subnets: SubnetInfo[] = [
  { id: "subnet-0a1", vpcId: "vpc-1", zone: "us-east-1a", name: "public-a", cidr: "172.31.0.0/20", publicIpOnLaunch: true, defaultForZone: true, availableIps: 4000 },
  { id: "subnet-0b2", vpcId: "vpc-1", zone: "us-east-1b", name: null, cidr: "172.31.16.0/20", publicIpOnLaunch: false, defaultForZone: false, availableIps: 4000 },
];

export const sandboxOff: SandboxStatus = { phase: "off", endpoint: null, detail: null, error: null };

// ---------- the fleet wall, as the core reports it ----------

export const ACCOUNT_ID = "123456789012";

/** A running, healthy, priced-as-unknown instance of the account; `over` and `instance` change it. */
export function wallRow(id: string, over: Partial<WallRow> = {}, instance: Partial<AccountInstance> = {}): WallRow {
  return {
    accountId: ACCOUNT_ID,
    instance: {
      id, region: "us-east-1", state: "running", tracking: "untracked", node: null, name: null, instanceType: "t3.micro",
      zone: "us-east-1a", launchTime: null, publicAddress: null, privateIp: "10.0.0.1", keyPair: "kp", image: "ami-1", ...instance,
    },
    system: null,
    systemCheck: "ok",
    instanceCheck: "ok",
    impaired: false,
    events: [],
    cpuRecent: [],
    cpuAverage: null,
    cpuPeriodSeconds: null,
    idle: false,
    hourly: null,
    monthly: null,
    priceKind: null,
    hourlyText: "unknown",
    monthlyText: "unknown",
    ...over,
  };
}

/** One account's section with these rows in these regions (each region with its error, if any). */
export function wallAccount(rows: WallRow[], regions: { region: string; error?: { code: "cloud.unauthorized"; message: string } }[], over: Partial<WallAccount> = {}): WallAccount {
  return {
    label: "AWS profile 'work'",
    accountId: ACCOUNT_ID,
    error: null,
    fix: null,
    regions: regions.map((r) => ({ region: r.region, error: r.error ?? null, instances: rows.filter((row) => row.instance.region === r.region).length })),
    rows,
    alerts: [],
    totals: { bySystem: [], byRegion: [], account: { name: ACCOUNT_ID, monthly: 0, monthlyText: "$0.00", unknownPrice: 0, cpuAverage: null }, unknownPrice: 0 },
    pricesAsOf: null,
    ...over,
  };
}

export function wallOf(accounts: WallAccount[], allRegions = false): FleetWall {
  return { accounts, allRegions, fetchedAt: "2026-12-07T10:00:00Z" };
}

/** The wall before any region is asked: one section, nothing in it. */
export function emptyWall(allRegions = false): FleetWall {
  return wallOf([wallAccount([], [], { accountId: null })], allRegions);
}
