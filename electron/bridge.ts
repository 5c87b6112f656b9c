// window.workbench as the renderer sees it (types only): the preload exposes exactly this and nothing else.
import type { MethodName, WorkbenchEvents } from '../core/api/contract.ts';
import type { DispatchResult } from '../core/hosts/dispatch.ts';

export interface WorkbenchBridge {
  /** One contract method; resolves with dispatch's plain-data result (`{ ok, value }` or `{ ok: false, error }`), as HTTP does. */
  call(method: MethodName, input?: unknown): Promise<DispatchResult>;
  /** Subscribe to a named event of the contract; returns the unsubscribe function. */
  on<K extends keyof WorkbenchEvents>(event: K, cb: (data: WorkbenchEvents[K]) => void): () => void;
}
