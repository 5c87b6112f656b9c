// The IPC transport: calls reach dispatch only from the app's main frame; run events reach the window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunEvent } from '../../core/api/types.ts';
import {
  CALL_CHANNEL,
  type callHandler,
  EVENT_CHANNEL,
  registerIpc,
  type EventMessage,
  type IpcWorkbench,
  type WindowContents,
} from '../../electron/ipc.ts';
import { APP_ENTRY_URL, type FrameLike } from '../../electron/security.ts';

type Handler = ReturnType<typeof callHandler>;

class FakeIpcMain {
  handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    assert.ok(!this.handlers.has(channel), `second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

class FakeContents implements WindowContents {
  sent: { channel: string; message: EventMessage }[] = [];
  destroyed = false;
  url = APP_ENTRY_URL;
  readonly mainFrame: FrameLike = { url: APP_ENTRY_URL, parent: null, processId: 3, routingId: 1 };
  isDestroyed = () => this.destroyed;
  getURL = () => this.url;
  send(channel: string, message: EventMessage): void {
    this.sent.push({ channel, message });
  }
}

/** Enough of a Workbench: two methods and the event stream. */
function fakeWorkbench() {
  const listeners = new Set<(e: RunEvent) => void>();
  const calls: unknown[] = [];
  const wb = {
    async run(input: { runId: string }) {
      calls.push(input);
      return { id: input.runId, status: 'completed' };
    },
    async stopRun(input: { runId: string }) {
      calls.push(input);
      throw Object.assign(new Error(`run ${input.runId} is completed, not running`), {
        name: 'WorkbenchError',
      });
    },
    onRunEvent(cb: (e: RunEvent) => void) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
  };
  const emit = (e: RunEvent) => listeners.forEach((cb) => cb(e));
  return { wb: wb as unknown as IpcWorkbench, calls, emit, listeners };
}

function setUp() {
  const ipc = new FakeIpcMain();
  const contents = new FakeContents();
  const { wb, calls, emit, listeners } = fakeWorkbench();
  let window: FakeContents | null = contents;
  const dispose = registerIpc(ipc, wb, () => window);
  const handler = ipc.handlers.get(CALL_CHANNEL)!;
  // The events are fakes with just the fields the sender check reads.
  const call = (event: object, method: unknown, input?: unknown) => handler(event as never, method, input);
  const trusted = { sender: contents, senderFrame: { ...contents.mainFrame } };
  return {
    ipc,
    contents,
    calls,
    emit,
    listeners,
    dispose,
    call,
    trusted,
    closeWindow: () => (window = null),
  };
}

describe('registerIpc', () => {
  it('dispatches a call from the main frame and returns plain data', async () => {
    const { call, trusted, calls } = setUp();
    assert.deepEqual(await call(trusted, 'run', { runId: 'abc123' }), {
      ok: true,
      value: { id: 'abc123', status: 'completed' },
    });
    assert.deepEqual(calls, [{ runId: 'abc123' }]);
  });

  it('validates input and maps errors to data, as every transport does', async () => {
    const { call, trusted, calls } = setUp();
    const bad = (await call(trusted, 'run', { runId: 42 })) as { ok: false; error: { code: string } };
    assert.equal(bad.ok, false);
    assert.equal(bad.error.code, 'invalid_input');
    const unknown = (await call(trusted, 'dropTables', {})) as { ok: false; error: { code: string } };
    assert.equal(unknown.error.code, 'not_found');
    const notString = (await call(trusted, { toString: () => 'run' }, { runId: 'x' })) as {
      ok: false;
      error: { code: string };
    };
    assert.equal(notString.error.code, 'invalid_input');
    const failed = (await call(trusted, 'stopRun', { runId: 'abc' })) as {
      ok: false;
      error: { message: string };
    };
    assert.match(failed.error.message, /not running/);
    assert.equal(calls.length, 1, 'only the valid stopRun reached the workbench');
  });

  it('refuses calls from anything but the main frame of the app window', async () => {
    const { call, contents, calls, closeWindow } = setUp();
    const iframe = { ...contents.mainFrame, parent: contents.mainFrame, routingId: 9 };
    const senders = [
      { sender: contents, senderFrame: null },
      { sender: contents, senderFrame: iframe },
      { sender: contents, senderFrame: { ...contents.mainFrame, url: 'https://evil.example/' } },
      { sender: new FakeContents(), senderFrame: { ...contents.mainFrame } },
    ];
    for (const event of senders) await assert.rejects(call(event, 'run', { runId: 'x' }), /refused/);
    contents.destroyed = true;
    await assert.rejects(call({ sender: contents, senderFrame: contents.mainFrame }, 'run', { runId: 'x' }));
    closeWindow();
    await assert.rejects(call({ sender: contents, senderFrame: contents.mainFrame }, 'run', { runId: 'x' }));
    assert.deepEqual(calls, []);
  });

  it('forwards run events to the window, NaN intact, only while it shows the app', () => {
    const { contents, emit } = setUp();
    const event: RunEvent = {
      type: 'metrics',
      runId: 'r1',
      step: 3,
      wallMs: 5,
      values: { 'train/loss': NaN },
    };
    emit(event);
    assert.deepEqual(contents.sent, [{ channel: EVENT_CHANNEL, message: { event: 'run', data: event } }]);
    contents.url = 'https://evil.example/';
    emit(event);
    contents.url = APP_ENTRY_URL;
    contents.destroyed = true;
    emit(event);
    assert.equal(contents.sent.length, 1);
  });

  it('does not fail when the window is gone', () => {
    const { emit, closeWindow } = setUp();
    closeWindow();
    assert.doesNotThrow(() => emit({ type: 'status', runId: 'r', status: 'running' }));
  });

  it('undoes both the handler and the subscription', () => {
    const { ipc, listeners, dispose } = setUp();
    assert.equal(listeners.size, 1);
    dispose();
    assert.equal(ipc.handlers.size, 0);
    assert.equal(listeners.size, 0);
  });
});
