// The in-process fake of backend.ts for component tests: every command is a vi.fn.
import { vi } from "vitest";
import { account, images, instanceTypes, keyPair, regionList, sandboxOff, securityGroups, subnets } from "./fixtures";

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
  setProperties: vi.fn(),
  unsetProperties: vi.fn(),
  renameItem: vi.fn(),
  removeItem: vi.fn(),
  getSettings: vi.fn(),
  saveSettings: vi.fn(),
  cloudReference: vi.fn(),
  cloudPreview: vi.fn(),
  cloudAffected: vi.fn(),
  cloudStart: vi.fn(),
  cancelOperation: vi.fn(),
  listOperations: vi.fn(),
  fleetOverview: vi.fn(),
  fleetNodes: vi.fn(),
  nodeLive: vi.fn(),
  connectCommand: vi.fn(),
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
};

export function resetBackend() {
  for (const fn of Object.values(backendMock)) fn.mockReset();
  backendMock.getSettings.mockResolvedValue({ recentRepositories: [], ec2Endpoint: null, theme: null });
  backendMock.fleetNodes.mockResolvedValue([]);
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
  backendMock.cloudReference.mockResolvedValue({ regions: [], instanceTypes: [], defaultInstanceType: "t3.micro", providers: ["aws"] });
  backendMock.connectCommand.mockRejectedValue({ code: "node.no_address", message: "the node has no address yet" });
  // The account: one AWS account that answers, with a few of everything per region.
  backendMock.accountStatus.mockResolvedValue(account);
  backendMock.accountInstances.mockResolvedValue([]);
  backendMock.importPreview.mockResolvedValue([]);
  backendMock.importInstances.mockResolvedValue([]);
  backendMock.cloudDrift.mockResolvedValue([]);
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
}
