// The one client of the workbench contract, over HTTP + WebSocket in a browser or the Electron preload's call/on.
import type { MethodName, WorkbenchApi } from '../../../core/api/contract.ts';
import type { ErrorData } from '../../../core/api/errors.ts';
import type { RunEvent } from '../../../core/api/types.ts';
import { reviveEvent, reviveResult } from './revive.ts';

export type Input<M extends MethodName> = Parameters<WorkbenchApi[M]>[0];
export type Output<M extends MethodName> = Awaited<ReturnType<WorkbenchApi[M]>>;
export type Connection = 'connecting' | 'open' | 'closed';

/** An error the core reported (its stable code and readable message), or a transport failure ('internal'). */
export class ApiError extends Error {
  readonly code: string;
  readonly method: string;
  constructor(method: string, data: ErrorData | { code: string; message: string }) {
    super(data.message);
    this.name = 'ApiError';
    this.code = data.code;
    this.method = method;
  }
}

export interface Client {
  call<M extends MethodName>(method: M, input: Input<M>): Promise<Output<M>>;
  /** Every run event; returns the unsubscribe function. */
  onRunEvent(cb: (e: RunEvent) => void): () => void;
  /** The event stream's state; a reopened stream may have missed events, so listeners reload. */
  onConnection(cb: (c: Connection) => void): () => void;
}

/** What the Electron preload exposes on `window.workbench`. */
interface PreloadBridge {
  call(method: string, input: unknown): Promise<unknown>;
  on(event: string, cb: (data: unknown) => void): (() => void) | void;
}

type Result = { ok: true; value: unknown } | { ok: false; error: ErrorData };
const isResult = (r: unknown): r is Result =>
  typeof r === 'object' && r !== null && typeof (r as { ok?: unknown }).ok === 'boolean';

function listeners<T>() {
  const set = new Set<(v: T) => void>();
  return {
    add(cb: (v: T) => void) {
      set.add(cb);
      return () => void set.delete(cb);
    },
    emit: (v: T) => set.forEach((cb) => cb(v)),
  };
}

function httpClient(base: URL): Client {
  const events = listeners<RunEvent>();
  const conn = listeners<Connection>();
  let retry = 250;
  const connect = () => {
    conn.emit('connecting');
    const ws = new WebSocket(new URL('events', base.href.replace(/^http/, 'ws')));
    ws.onopen = () => {
      retry = 250;
      conn.emit('open');
    };
    ws.onmessage = (m: MessageEvent<string>) => {
      const msg = JSON.parse(m.data) as { event: string; data: RunEvent };
      if (msg.event === 'run') events.emit(reviveEvent(msg.data));
    };
    // Reconnect with backoff: the server may be restarting; listeners reload what they missed on 'open'.
    ws.onclose = () => {
      conn.emit('closed');
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  };
  connect();
  return {
    async call(method, input) {
      let res: Response;
      try {
        res = await fetch(new URL(`api/${method}`, base), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input),
        });
      } catch (err) {
        throw new ApiError(method, {
          code: 'internal',
          message: `cannot reach the workbench server (${String(err)})`,
        });
      }
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new ApiError(method, {
          code: 'internal',
          message: `HTTP ${res.status}: ${text.slice(0, 200)}`,
        });
      }
      if (!isResult(body)) throw new ApiError(method, { code: 'internal', message: 'malformed reply' });
      if (!body.ok) throw new ApiError(method, body.error);
      return reviveResult(method, body.value) as never;
    },
    onRunEvent: events.add,
    onConnection: conn.add,
  };
}

function preloadClient(bridge: PreloadBridge): Client {
  const conn = listeners<Connection>();
  return {
    async call(method, input) {
      let r: unknown;
      try {
        r = await bridge.call(method, input);
      } catch (err) {
        throw new ApiError(method, {
          code: 'internal',
          message: err instanceof Error ? err.message : String(err),
        });
      }
      if (!isResult(r)) return r as never;
      if (!r.ok) throw new ApiError(method, r.error);
      return r.value as never;
    },
    onRunEvent(cb) {
      const off = bridge.on('run', (data) => cb(data as RunEvent));
      return typeof off === 'function' ? off : () => undefined;
    },
    // IPC has no connection to lose.
    onConnection(cb) {
      cb('open');
      return conn.add(cb);
    },
  };
}

/** The preload's bridge when running inside Electron, else HTTP to the server that served this page. */
export function createClient(): Client {
  const bridge = (globalThis as { workbench?: PreloadBridge }).workbench;
  return bridge ? preloadClient(bridge) : httpClient(new URL('./', location.href));
}

export const client: Client = createClient();
