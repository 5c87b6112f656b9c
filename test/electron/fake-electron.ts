// Stand-in for the 'electron' module under plain Node: main-wiring.test.ts resolves `electron` here, so the real
// electron/main.ts runs against recording fakes. Only what main.ts touches is faked.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { ForkFn } from '../../electron/utility-launcher.ts';

/** Everything main.ts did, in order. */
export const calls: string[] = [];

class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeApp extends EventEmitter {
  isPackaged = false;
  ready = false;
  lock = true;
  quitCount = 0;
  exitCode: number | null = null;
  appData = path.join('/fake', 'appData');
  appPath = path.resolve(import.meta.dirname, '../..');
  userData = path.join('/fake', 'appData', 'Electron');
  private resolveReady!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => (this.resolveReady = resolve));

  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  isReady(): boolean {
    return this.ready;
  }
  /** The test's 'ready': resolves whenReady() as Electron does. */
  fireReady(): void {
    calls.push('ready');
    this.ready = true;
    this.resolveReady();
  }
  requestSingleInstanceLock(): boolean {
    calls.push('requestSingleInstanceLock');
    return this.lock;
  }
  enableSandbox(): void {
    if (this.ready) throw new Error('enableSandbox after ready');
    calls.push('enableSandbox');
  }
  getPath(name: string): string {
    if (name === 'appData') return this.appData;
    if (name === 'userData') return this.userData;
    throw new Error(`getPath(${name}) not faked`);
  }
  setPath(name: string, value: string): void {
    calls.push(`setPath ${name}`);
    if (name === 'userData') this.userData = value;
  }
  getAppPath(): string {
    return this.appPath;
  }
  /** Like Electron: 'before-quit' may cancel the quit. */
  quit(): void {
    calls.push('quit');
    const e = new FakeEvent();
    this.emit('before-quit', e);
    if (!e.defaultPrevented) this.quitCount++;
  }
  exit(code: number): void {
    calls.push(`exit ${code}`);
    this.exitCode = code;
  }
}

export class FakeWebContents extends EventEmitter {
  readonly mainFrame = { url: '', parent: null, processId: 7, routingId: 1 };
  readonly sent: [string, unknown][] = [];
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  destroyed = false;
  send(channel: string, message: unknown): void {
    this.sent.push([channel, message]);
  }
  getURL(): string {
    return this.mainFrame.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler;
  }
}

export class BrowserWindow extends EventEmitter {
  static readonly all: BrowserWindow[] = [];
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.all.filter((w) => !w.destroyed);
  }
  readonly webContents = new FakeWebContents();
  shown = false;
  destroyed = false;
  readonly options: Record<string, unknown>;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    calls.push('new BrowserWindow');
    BrowserWindow.all.push(this);
    app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  loadURL(url: string): Promise<void> {
    calls.push(`loadURL ${url}`);
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  show(): void {
    this.shown = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {
    calls.push('focus');
  }
  close(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

type Handler = (...args: never[]) => unknown;

export const ipcMain = {
  handlers: new Map<string, Handler>(),
  handle(channel: string, handler: Handler): void {
    calls.push(`ipcMain.handle ${channel}`);
    this.handlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  },
};

export const protocol = {
  privileged: [] as unknown[],
  handlers: new Map<string, (request: Request) => Promise<Response>>(),
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    if (app.ready) throw new Error('registerSchemesAsPrivileged after ready');
    calls.push('registerSchemesAsPrivileged');
    this.privileged.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response>): void {
    calls.push(`protocol.handle ${scheme}`);
    this.handlers.set(scheme, handler);
  },
};

export const session = {
  defaultSession: {
    handlers: {} as Record<string, Handler>,
    setPermissionRequestHandler(h: Handler) {
      this.handlers['request'] = h;
    },
    setPermissionCheckHandler(h: Handler) {
      this.handlers['check'] = h;
    },
    setDevicePermissionHandler(h: Handler) {
      this.handlers['device'] = h;
    },
    webRequest: {
      onBeforeRequest(h: Handler) {
        session.defaultSession.handlers['beforeRequest'] = h;
      },
    },
  },
};

export const shell = {
  opened: [] as string[],
  openExternal(url: string): Promise<void> {
    this.opened.push(url);
    return Promise.resolve();
  },
};

export const dialog = {
  errors: [] as string[],
  showErrorBox(title: string, message: string): void {
    this.errors.push(`${title}: ${message}`);
  },
};

export const utilityProcess = {
  /** The test plugs in a fork that runs child-main under plain Node (see shim-fork.ts). */
  forkFn: null as ForkFn | null,
  fork(...args: Parameters<ForkFn>) {
    calls.push('utilityProcess.fork');
    if (!this.forkFn) throw new Error('no forkFn');
    return this.forkFn(...args);
  },
};

export let app = new FakeApp();

/** A fresh app and logs, for the next import of main.ts. */
export function reset(): void {
  calls.length = 0;
  app = new FakeApp();
  BrowserWindow.all.length = 0;
  ipcMain.handlers.clear();
  protocol.privileged.length = 0;
  protocol.handlers.clear();
  shell.opened.length = 0;
  dialog.errors.length = 0;
}
