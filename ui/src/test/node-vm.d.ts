// The one Node API the tests use (the project has no @types/node): a separate JavaScript realm.
declare module "node:vm" {
  export function createContext<T extends object>(sandbox: T): T;
  export function runInContext(code: string, context: object): unknown;
}
