// The in-process fake of backend.ts for component tests: every command is a vi.fn.
import { vi } from "vitest";

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
  backendMock.workspaceInfo.mockResolvedValue({ root: "/tmp/repo", openError: null, recent: [], defaultRoot: "/home/me/.poni/default" });
}
