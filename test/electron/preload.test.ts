// The preload, run as Electron runs a sandboxed preload: a plain script with a require that knows only 'electron'.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import ts from 'typescript';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../electron/ipc.ts';

/** The preload as build:electron emits it (a .cts file compiles to CommonJS). */
const SOURCE = ts.transpileModule(
  fs.readFileSync(new URL('../../electron/preload.cts', import.meta.url), 'utf8'),
  {
    fileName: 'preload.cts',
    compilerOptions: { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2023 },
  },
).outputText;

interface Bridge {
  call(method: unknown, input?: unknown): Promise<unknown>;
  on(event: unknown, cb: unknown): () => void;
}

/** Runs the preload with fake contextBridge / ipcRenderer; returns what it exposed and the fakes. */
function loadPreload() {
  const exposed: { key: string; api: unknown }[] = [];
  const invoked: unknown[][] = [];
  const ipcRenderer = Object.assign(new EventEmitter(), {
    invoke: (...args: unknown[]) => {
      invoked.push(args);
      return Promise.resolve({ ok: true, value: 'pong' });
    },
  });
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.push({ key, api }) },
    ipcRenderer,
  };
  const required: string[] = [];
  const sandboxRequire = (name: string) => {
    required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`module not found: ${name} (a sandboxed preload can require only 'electron')`);
  };
  // Electron wraps a sandboxed preload the same way: a function of require, exports and module.
  const wrapper = vm.compileFunction(SOURCE, ['require', 'exports', 'module']) as (
    req: typeof sandboxRequire,
    exports: object,
    module: { exports: object },
  ) => void;
  const exports = {};
  wrapper(sandboxRequire, exports, { exports });
  return { exposed, invoked, ipcRenderer, required };
}

describe('preload', () => {
  it("is a script that requires only 'electron' and exposes exactly { call, on } as window.workbench", () => {
    assert.doesNotMatch(SOURCE, /^\s*(import|export)\b/m, 'no ES module syntax in a sandboxed preload');
    const { exposed, required } = loadPreload();
    assert.deepEqual(required, ['electron']);
    assert.equal(exposed.length, 1);
    assert.equal(exposed[0]!.key, 'workbench');
    assert.deepEqual(Object.keys(exposed[0]!.api as object).sort(), ['call', 'on']);
  });

  it('call() invokes the channel ipc.ts handles, with the method and input', async () => {
    const { exposed, invoked } = loadPreload();
    const bridge = exposed[0]!.api as Bridge;
    assert.deepEqual(await bridge.call('runs', { status: 'running' }), { ok: true, value: 'pong' });
    await bridge.call('archs');
    assert.deepEqual(invoked, [
      [CALL_CHANNEL, 'runs', { status: 'running' }],
      [CALL_CHANNEL, 'archs', {}],
    ]);
    await assert.rejects(bridge.call(42), /method must be a string/);
    assert.equal(invoked.length, 2);
  });

  it('on() delivers only the named event, only its data, until unsubscribed', () => {
    const { exposed, ipcRenderer } = loadPreload();
    const bridge = exposed[0]!.api as Bridge;
    const got: unknown[] = [];
    const off = bridge.on('run', (...args: unknown[]) => got.push(args));
    const ipcEvent = { sender: ipcRenderer, senderId: 0 };
    ipcRenderer.emit(EVENT_CHANNEL, ipcEvent, { event: 'run', data: { type: 'status', runId: 'r' } });
    ipcRenderer.emit(EVENT_CHANNEL, ipcEvent, { event: 'other', data: 1 });
    ipcRenderer.emit(EVENT_CHANNEL, ipcEvent, null);
    off();
    ipcRenderer.emit(EVENT_CHANNEL, ipcEvent, { event: 'run', data: 'late' });
    assert.deepEqual(got, [[{ type: 'status', runId: 'r' }]]);
    assert.equal(ipcRenderer.listenerCount(EVENT_CHANNEL), 0);
  });

  it('refuses unknown events and non-function callbacks', () => {
    const { exposed, ipcRenderer } = loadPreload();
    const bridge = exposed[0]!.api as Bridge;
    assert.throws(() => bridge.on('workbench:call', () => {}), /unknown event/);
    assert.throws(() => bridge.on('run', 'alert(1)'), /must be a function/);
    assert.equal(ipcRenderer.listenerCount(EVENT_CHANNEL), 0);
  });
});
