// Preload of the app's window: exposes window.workbench = { call, on } over two IPC channels, and nothing else.
// It runs sandboxed, so it is CommonJS and self-contained: a sandboxed preload can require only 'electron'.
import type { ContextBridge, IpcRenderer } from 'electron';
import type { WorkbenchBridge } from './bridge.ts';

const { contextBridge, ipcRenderer } = require('electron') as {
  contextBridge: ContextBridge;
  ipcRenderer: IpcRenderer;
};

// The same strings as CALL_CHANNEL / EVENT_CHANNEL in ipc.ts (a test checks they agree).
const CALL_CHANNEL = 'workbench:call';
const EVENT_CHANNEL = 'workbench:event';
const EVENTS: readonly string[] = ['run'];

const bridge: WorkbenchBridge = {
  call(method, input) {
    if (typeof method !== 'string')
      return Promise.reject(new TypeError('workbench.call: method must be a string'));
    return ipcRenderer.invoke(CALL_CHANNEL, method, input ?? {}) as ReturnType<WorkbenchBridge['call']>;
  },
  on(event, cb) {
    if (!EVENTS.includes(event)) throw new TypeError(`workbench.on: unknown event '${String(event)}'`);
    if (typeof cb !== 'function') throw new TypeError('workbench.on: the callback must be a function');
    // The IpcRendererEvent (it holds the sender) never reaches the page: only the event's data does.
    const listener = (_e: unknown, message: { event?: unknown; data?: unknown } | null) => {
      if (message?.event === event) cb(message.data as Parameters<typeof cb>[0]);
    };
    ipcRenderer.on(EVENT_CHANNEL, listener);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, listener);
    };
  },
};

contextBridge.exposeInMainWorld('workbench', bridge);
