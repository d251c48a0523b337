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
};

export function resetBackend() {
  for (const fn of Object.values(backendMock)) fn.mockReset();
  backendMock.getSettings.mockResolvedValue({ recentRepositories: [], ec2Endpoint: null, theme: null });
  backendMock.workspaceInfo.mockResolvedValue({ root: "/tmp/repo", openError: null, recent: [], defaultRoot: "/home/me/.poni/default" });
}
