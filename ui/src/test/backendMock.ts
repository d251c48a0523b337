// The in-process fake of backend.ts for component tests: every command is a vi.fn.
import { vi } from "vitest";
import type { EditProblem } from "../bindings/EditProblem";
import type { PropertyEdit } from "../bindings/PropertyEdit";
import type { VcStatus } from "../bindings/VcStatus";
import { account, emptyWall, images, instanceTypes, keyPair, regionList, sandboxOff, securityGroups, subnets } from "./fixtures";

export const backendMock = {
  workspaceInfo: vi.fn(),
  openRepository: vi.fn(),
  createRepository: vi.fn(),
  forgetRepository: vi.fn(),
  loadTree: vi.fn(),
  getItem: vi.fn(),
  addSystem: vi.fn(),
  planNodes: vi.fn(),
  addNodes: vi.fn(),
  checkEdit: vi.fn(),
  editProperties: vi.fn(),
  checkName: vi.fn(),
  renameItem: vi.fn(),
  removeItem: vi.fn(),
  getSettings: vi.fn(),
  saveSettings: vi.fn(),
  cloudReference: vi.fn(),
  cloudPreview: vi.fn(),
  cloudAffected: vi.fn(),
  cloudSnapshots: vi.fn(),
  cloudStart: vi.fn(),
  cancelOperation: vi.fn(),
  listOperations: vi.fn(),
  fleetOverview: vi.fn(),
  fleetNodes: vi.fn(),
  nodeLive: vi.fn(),
  connectCommand: vi.fn(),
  liftTerminationProtection: vi.fn(),
  credentialsStatus: vi.fn(),
  listCredentialSets: vi.fn(),
  saveCredentialSet: vi.fn(),
  deleteCredentialSet: vi.fn(),
  chooseCredentials: vi.fn(),
  setEc2Endpoint: vi.fn(),
  accountStatus: vi.fn(),
  launchChecks: vi.fn(),
  accountRegions: vi.fn(),
  accountImages: vi.fn(),
  accountInstanceTypes: vi.fn(),
  accountKeyPairs: vi.fn(),
  createKeyPair: vi.fn(),
  importKeyPair: vi.fn(),
  localPublicKeys: vi.fn(),
  accountSecurityGroups: vi.fn(),
  allowSsh: vi.fn(),
  allowSshFromHere: vi.fn(),
  accountSubnets: vi.fn(),
  ssoStart: vi.fn(),
  ssoFinish: vi.fn(),
  ssoCancel: vi.fn(),
  sandboxStatus: vi.fn(),
  sandboxStart: vi.fn(),
  sandboxStop: vi.fn(),
  accountInstances: vi.fn(),
  importPreview: vi.fn(),
  importInstances: vi.fn(),
  cloudDrift: vi.fn(),
  cloudTakeDrift: vi.fn(),
  checkMove: vi.fn(),
  moveItems: vi.fn(),
  historyList: vi.fn(),
  historyUndo: vi.fn(),
  historyRedo: vi.fn(),
  cloudTerminateInstances: vi.fn(),
  fleetStatus: vi.fn(),
  vcStatus: vi.fn(),
  vcInit: vi.fn(),
  vcSetMode: vi.fn(),
  vcSetRemote: vi.fn(),
  vcDiff: vi.fn(),
  vcCheckpoint: vi.fn(),
  vcPull: vi.fn(),
  vcPush: vi.fn(),
  vcConflicts: vi.fn(),
  vcResolve: vi.fn(),
  terminalOpen: vi.fn(),
  terminalInput: vi.fn(),
  terminalResize: vi.fn(),
  terminalClose: vi.fn(),
  openInTerminal: vi.fn(),
  runCommand: vi.fn(),
  copyFiles: vi.fn(),
  runCancel: vi.fn(),
  runsList: vi.fn(),
  runGet: vi.fn(),
};

export function resetBackend() {
  for (const fn of Object.values(backendMock)) fn.mockReset();
  backendMock.getSettings.mockResolvedValue({ recentRepositories: [], ec2Endpoint: null, theme: null, sandboxFast: false });
  backendMock.fleetNodes.mockResolvedValue([]);
  // The core finds nothing wrong unless a test says otherwise.
  backendMock.checkEdit.mockResolvedValue([]);
  backendMock.checkName.mockResolvedValue(null);
  backendMock.editProperties.mockResolvedValue(1);
  backendMock.listOperations.mockResolvedValue([]);
  backendMock.fleetOverview.mockResolvedValue({
    nodes: 0,
    withInstance: 0,
    byState: [],
    byRegion: [],
    noInstance: [],
    missing: [],
    transitional: [],
    withProblems: [],
    lastErrors: [],
    refreshing: false,
  });
  backendMock.cloudReference.mockResolvedValue({ regions: [], instanceTypes: [], defaultInstanceType: "t3.micro", providers: ["aws"], keyFileTemplate: "/home/me/.ssh/{name}.pem" });
  backendMock.connectCommand.mockRejectedValue({ code: "node.no_address", message: "the node has no address yet" });
  // The account: one AWS account that answers, with a few of everything per region.
  backendMock.accountStatus.mockResolvedValue(account);
  backendMock.accountInstances.mockResolvedValue([]);
  backendMock.importPreview.mockResolvedValue([]);
  backendMock.importInstances.mockResolvedValue([]);
  backendMock.cloudDrift.mockResolvedValue([]);
  // The fleet wall: no region asked yet (no node names one).
  backendMock.fleetStatus.mockImplementation(async (allRegions: boolean) => emptyWall(allRegions));
  backendMock.cloudTakeDrift.mockResolvedValue(1);
  backendMock.launchChecks.mockResolvedValue({ account, warnings: [] });
  backendMock.accountRegions.mockResolvedValue(regionList);
  backendMock.accountImages.mockResolvedValue(images);
  backendMock.accountInstanceTypes.mockImplementation(async (_region: string, arch: string | null) => instanceTypes.filter((t) => !arch || t.architectures.includes(arch)));
  backendMock.accountKeyPairs.mockResolvedValue([keyPair("my-keypair", false), keyPair("ops", true)]);
  backendMock.accountSecurityGroups.mockResolvedValue(securityGroups);
  backendMock.accountSubnets.mockResolvedValue(subnets);
  backendMock.localPublicKeys.mockResolvedValue([]);
  backendMock.ssoCancel.mockResolvedValue(true);
  backendMock.sandboxStatus.mockResolvedValue(sandboxOff);
  backendMock.workspaceInfo.mockResolvedValue({ root: "/tmp/repo", openError: null, recent: [], defaultRoot: "/home/me/.poni/default" });
  // Moves, history and git: nothing to move, an empty history, git not started.
  backendMock.checkMove.mockResolvedValue({ moves: [], problems: [] });
  backendMock.moveItems.mockResolvedValue([]);
  backendMock.historyList.mockResolvedValue({ entries: [], canUndo: false, canRedo: false, nextUndo: null, nextRedo: null });
  backendMock.vcStatus.mockResolvedValue(vcOff);
  backendMock.vcDiff.mockResolvedValue({ items: [] });
  backendMock.vcConflicts.mockResolvedValue([]);
  backendMock.vcSetMode.mockResolvedValue(null);
  backendMock.vcSetRemote.mockResolvedValue(null);
  // Terminals and runs: sessions answer, no past runs. Channels are FakeChannels (setup.ts).
  backendMock.terminalInput.mockResolvedValue(null);
  backendMock.terminalResize.mockResolvedValue(null);
  backendMock.terminalClose.mockResolvedValue(true);
  backendMock.runCancel.mockResolvedValue(true);
  backendMock.runsList.mockResolvedValue([]);
}

export const vcOff: VcStatus = { enabled: false, branch: null, mode: "eachChange", changedItems: 0, remote: null, ahead: 0, behind: 0, conflicts: 0, lastCommit: null };

/**
 * Stands in for the core's check of a save (backend.checkEdit) in tests that show problems: a
 * few answers the core gives, each naming its key.
 */
export async function fakeCheckEdit(_name: string, set: PropertyEdit[], unset: string[]): Promise<EditProblem[]> {
  const problems: EditProblem[] = [];
  for (const key of unset) {
    if (key === "parent" || key === "cloud.instance") problems.push(managed(key));
  }
  for (const { key, value } of set) {
    if (key === "") problems.push({ key, code: "input.invalid_property", message: "invalid property '': the property name is empty" });
    else if (key === "parent" || key === "cloud.instance") problems.push(managed(key));
    else if (key === "cloud.image" && typeof value === "string" && !/^ami-[0-9a-f]{8}$/.test(value)) {
      problems.push({ key, code: "node.invalid_property", message: `cloud.image '${value}' is not an AMI id (ami-…)` });
    }
  }
  return problems;
}

function managed(key: "parent" | "cloud.instance"): EditProblem {
  return { key, code: "input.managed_property", message: `${key} is set by ${key === "parent" ? "Clone" : "Launch"}; it cannot be edited here.` };
}
