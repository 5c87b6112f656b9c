// The Electron transport of the contract: ipcMain 'workbench:call' → dispatch (trusted frames only); run events out.
import type { IpcMainInvokeEvent } from 'electron';
import type { WorkbenchApi, WorkbenchEvents } from '../core/api/contract.ts';
import type { RunEvent } from '../core/api/types.ts';
import { dispatch, type DispatchResult } from '../core/hosts/dispatch.ts';
import { isAppUrl, isTrustedSender, type ContentsLike } from './security.ts';

/** Channel names; preload.cts spells the same strings (it may import nothing at run time). */
export const CALL_CHANNEL = 'workbench:call';
export const EVENT_CHANNEL = 'workbench:event';

/** What the renderer receives on EVENT_CHANNEL: one named event of the contract and its data. */
export type EventMessage = {
  [K in keyof WorkbenchEvents]: { event: K; data: WorkbenchEvents[K] };
}[keyof WorkbenchEvents];

/** A workbench as the IPC host needs it: the contract plus its event stream. */
export interface IpcWorkbench extends WorkbenchApi {
  onRunEvent(cb: (e: RunEvent) => void): () => void;
}

/** The window's WebContents as far as the transport uses it. */
export interface WindowContents extends ContentsLike {
  send(channel: string, message: EventMessage): void;
  getURL(): string;
}

type HandleEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

/** ipcMain as far as the transport uses it. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: HandleEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The handler behind CALL_CHANNEL: refuses untrusted senders (the invoke rejects), else dispatches. */
export function callHandler(
  workbench: WorkbenchApi,
  getContents: () => WindowContents | null,
): (event: HandleEvent, method: unknown, input: unknown) => Promise<DispatchResult> {
  return async (event, method, input) => {
    if (!isTrustedSender(event, getContents()))
      throw new Error(`${CALL_CHANNEL} refused: the sender is not the main frame of the app's window`);
    if (typeof method !== 'string')
      return { ok: false, error: { code: 'invalid_input', message: 'the method name must be a string' } };
    return dispatch(workbench, method, input);
  };
}

/**
 * Wires the contract to ipcMain and forwards run events to the window (only while it shows the app).
 * Returns the function that undoes both.
 */
export function registerIpc(
  ipcMain: IpcMainLike,
  workbench: IpcWorkbench,
  getContents: () => WindowContents | null,
): () => void {
  ipcMain.handle(CALL_CHANNEL, callHandler(workbench, getContents));
  const off = workbench.onRunEvent((data) => {
    const contents = getContents();
    if (contents && !contents.isDestroyed() && isAppUrl(contents.getURL()))
      contents.send(EVENT_CHANNEL, { event: 'run', data });
  });
  return () => {
    off();
    ipcMain.removeHandler(CALL_CHANNEL);
  };
}
