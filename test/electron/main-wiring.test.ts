// electron/main.ts itself, run under plain Node against a fake 'electron' (fake-electron.ts): what it calls before
// and after 'ready', the window it opens, IPC end to end through a real runner, and a quit that stops runs.
import assert from 'node:assert/strict';
import path from 'node:path';
import { registerHooks } from 'node:module';
import { describe, it } from 'node:test';
import type { RunEvent } from '../../core/api/types.ts';
import { Workbench } from '../../core/workbench.ts';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../electron/ipc.ts';
import { APP_ENTRY_URL, CONTENT_SECURITY_POLICY } from '../../electron/security.ts';
import { tempDir } from '../helpers/temp.ts';
import * as fake from './fake-electron.ts';
import { shimFork } from './shim-fork.ts';

const FAKE_URL = new URL('./fake-electron.ts', import.meta.url).href;
registerHooks({
  resolve: (specifier, context, nextResolve) =>
    specifier === 'electron' ? { url: FAKE_URL, shortCircuit: true } : nextResolve(specifier, context),
});

let imports = 0;
/** Evaluates a fresh copy of main.ts (a new query string) against a reset fake. */
async function runMain(): Promise<void> {
  fake.reset();
  await import(`../../electron/main.ts?run=${++imports}`);
}

const tick = () => new Promise((r) => setImmediate(r));
type CallHandler = (
  event: unknown,
  method: unknown,
  input?: unknown,
) => Promise<{ ok: boolean; value?: unknown }>;

describe('electron/main.ts wiring', () => {
  it('leaves at once when another instance holds the lock: no window, no database', async () => {
    fake.reset();
    fake.app.lock = false;
    await import(`../../electron/main.ts?run=${++imports}`);
    fake.app.fireReady();
    await tick();
    assert.ok(fake.calls.includes('quit'));
    assert.ok(!fake.calls.includes('new BrowserWindow'));
    assert.equal(fake.ipcMain.handlers.size, 0);
  });

  it('opens the secured window on ready, serves IPC through a real runner, and quits only after runs stop', async (t) => {
    const db = path.join(tempDir(t), 'wb.sqlite');
    process.env['RNNWB_DB'] = db;
    t.after(() => delete process.env['RNNWB_DB']);
    await runMain();
    const { app, calls } = fake;
    fake.utilityProcess.forkFn = shimFork().forkFn;

    // Before 'ready': the privileged scheme, the sandbox, the shared userData folder; nothing else yet.
    assert.deepEqual(calls, [
      'registerSchemesAsPrivileged',
      'enableSandbox',
      'setPath userData',
      'requestSingleInstanceLock',
    ]);
    assert.deepEqual(fake.protocol.privileged, [
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    assert.equal(app.userData, path.join(app.appData, 'rnn-workbench'));

    app.fireReady();
    await tick();
    assert.deepEqual(fake.dialog.errors, []);
    assert.deepEqual(calls.slice(4), [
      'ready',
      'protocol.handle app',
      `ipcMain.handle ${CALL_CHANNEL}`,
      'new BrowserWindow',
      `loadURL ${APP_ENTRY_URL}`,
    ]);
    const win = fake.BrowserWindow.all[0]!;
    const prefs = win.options['webPreferences'] as Record<string, unknown>;
    assert.equal(prefs['sandbox'], true);
    assert.equal(prefs['contextIsolation'], true);
    assert.equal(prefs['nodeIntegration'], false);
    assert.equal(
      prefs['preload'],
      path.join(path.resolve(import.meta.dirname, '../../electron'), 'preload.cjs'),
    );
    win.emit('ready-to-show');
    assert.equal(win.shown, true);

    // The session and the window are locked down.
    assert.equal(typeof fake.session.defaultSession.handlers['request'], 'function');
    assert.deepEqual(win.webContents.openHandler!({ url: 'https://arxiv.org/abs/1803.04831' }), {
      action: 'deny',
    });
    assert.deepEqual(fake.shell.opened, ['https://arxiv.org/abs/1803.04831']);
    assert.ok(win.webContents.listenerCount('will-navigate') > 0);

    // The protocol serves dist/renderer/ of the app folder, always with the CSP.
    const page = await fake.protocol.handlers.get('app')!(new Request('app://rnnwb/index.html'));
    assert.equal(page.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);

    // IPC from the window's main frame reaches the Workbench; a run trains in a "utility process" and its
    // events reach the window.
    const call = fake.ipcMain.handlers.get(CALL_CHANNEL) as unknown as CallHandler;
    const trusted = { sender: win.webContents, senderFrame: { ...win.webContents.mainFrame } };
    await assert.rejects(call({ sender: win.webContents, senderFrame: null }, 'archs', {}), /refused/);
    const archs = await call(trusted, 'archs', {});
    assert.equal(archs.ok, true);
    const started = (await call(trusted, 'startRun', {
      arch: 'gru',
      task: 'adding',
      seed: 2,
      steps: 100000,
      backend: 'cpu',
      set: { seqLen: 8, units: 6, evalSize: 16, evalEvery: 10, checkpointEvery: 5 },
    })) as { ok: true; value: { id: string } };
    assert.equal(started.ok, true, JSON.stringify(started));
    assert.ok(calls.includes('utilityProcess.fork'));
    const runEvents = () =>
      win.webContents.sent
        .filter(([channel]) => channel === EVENT_CHANNEL)
        .map(([, m]) => (m as { event: string; data: RunEvent }).data);
    while (!runEvents().some((e) => e.type === 'metrics' && e.step >= 2))
      await new Promise((r) => setTimeout(r, 20));

    // Closing the last window quits (not macOS); the quit waits while the run checkpoints and stops.
    win.close();
    app.emit('window-all-closed');
    assert.equal(app.quitCount, 0, 'quit held while the runner stops');
    while (app.quitCount === 0) await new Promise((r) => setTimeout(r, 20));
    assert.equal(app.exitCode, null);
    const after = new Workbench({ dbPath: db });
    t.after(() => after.close());
    const run = await after.run({ runId: started.value.id });
    assert.equal(run.status, 'stopped');
    assert.equal((await after.checkpoints({ runId: run.id })).at(-1)?.step, run.step);
  });
});
