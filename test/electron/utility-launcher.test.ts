// The utilityProcess Launcher: the adapter over fakes, then real runs of child-main through it under a parentPort shim.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { RunEvent } from '../../core/api/types.ts';
import { Workbench } from '../../core/workbench.ts';
import {
  compiledModulePath,
  utilityLauncher,
  type ForkFn,
  type UtilityProcessLike,
} from '../../electron/utility-launcher.ts';
import { tempDir } from '../helpers/temp.ts';
import { shimFork } from './shim-fork.ts';
import { untilRunEvent } from '../helpers/run-events.ts';

class FakeUtility extends EventEmitter implements UtilityProcessLike {
  pid: number | undefined = 4242;
  posted: unknown[] = [];
  kills = 0;
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  kill(): boolean {
    this.kills++;
    return true;
  }
  exit(code: number): void {
    this.pid = undefined;
    this.emit('exit', code);
  }
}

function fakeFork() {
  const forks: { modulePath: string; args: string[]; options: object; child: FakeUtility }[] = [];
  const forkFn: ForkFn = (modulePath, args, options) => {
    const child = new FakeUtility();
    forks.push({ modulePath, args, options, child });
    return child;
  };
  return { forks, forkFn };
}

describe('compiledModulePath', () => {
  it('forks the compiled .js beside a .ts module when there is one', () => {
    assert.equal(
      compiledModulePath('/a/child-main.ts', () => true),
      '/a/child-main.js',
    );
    assert.equal(
      compiledModulePath('/a/child-main.ts', () => false),
      '/a/child-main.ts',
    );
    assert.equal(
      compiledModulePath('/a/child-main.js', () => assert.fail('not asked')),
      '/a/child-main.js',
    );
  });
});

describe('utilityLauncher (fake utilityProcess)', () => {
  it('forks the module with its argv and relays messages both ways', () => {
    const { forks, forkFn } = fakeFork();
    const launch = utilityLauncher(forkFn, { exists: (f) => f === '/r/child-main.js' });
    const child = launch('/r/child-main.ts', ['/db.sqlite', 'run1', 'start']);
    assert.equal(forks[0]!.modulePath, '/r/child-main.js');
    assert.deepEqual(forks[0]!.args, ['/db.sqlite', 'run1', 'start']);
    assert.equal((forks[0]!.options as { stdio?: string }).stdio, 'inherit');
    const got: unknown[] = [];
    child.onMessage((m) => got.push(m));
    forks[0]!.child.emit('message', { type: 'event', event: { type: 'checkpoint', runId: 'run1', step: 5 } });
    assert.deepEqual(got, [{ type: 'event', event: { type: 'checkpoint', runId: 'run1', step: 5 } }]);
    child.send({ type: 'cancel' });
    assert.deepEqual(forks[0]!.child.posted, [{ type: 'cancel' }]);
  });

  it('reports exit with its code and no signal, and drops messages after exit', () => {
    const { forks, forkFn } = fakeFork();
    const child = utilityLauncher(forkFn, { exists: () => false })('/m.ts', []);
    const exits: unknown[] = [];
    child.onExit((code, signal) => exits.push([code, signal]));
    forks[0]!.child.exit(3);
    assert.deepEqual(exits, [[3, null]]);
    child.send({ type: 'cancel' });
    child.kill('SIGKILL');
    assert.deepEqual(forks[0]!.child.posted, []);
    assert.equal(forks[0]!.child.kills, 0);
  });

  it('makes SIGKILL a real SIGKILL by pid (UtilityProcess.kill would only ask), other signals its kill()', () => {
    const { forks, forkFn } = fakeFork();
    const signalled: unknown[] = [];
    const launch = utilityLauncher(forkFn, {
      exists: () => false,
      killPid: (pid, s) => signalled.push([pid, s]),
    });
    const child = launch('/m.ts', []);
    child.kill('SIGKILL');
    assert.deepEqual(signalled, [[4242, 'SIGKILL']]);
    assert.equal(forks[0]!.child.kills, 0);
    child.kill('SIGTERM');
    assert.equal(forks[0]!.child.kills, 1);
    // A process that is already gone (ESRCH) falls back to Electron's kill.
    const gone = utilityLauncher(forkFn, {
      exists: () => false,
      killPid: () => {
        throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
      },
    })('/m.ts', []);
    gone.kill('SIGKILL');
    assert.equal(forks[1]!.child.kills, 1);
  });

  it('ends a runner that lingers after its final message', async () => {
    const { forks, forkFn } = fakeFork();
    utilityLauncher(forkFn, { exists: () => false, exitGraceMs: 20 })('/m.ts', []);
    const utility = forks[0]!.child;
    utility.emit('message', { type: 'done', status: 'completed', error: null });
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(utility.kills, 1);
    // One that exits in time is left alone.
    utilityLauncher(forkFn, { exists: () => false, exitGraceMs: 20 })('/m.ts', []);
    forks[1]!.child.emit('message', { type: 'done', status: 'completed', error: null });
    forks[1]!.child.exit(0);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(forks[1]!.child.kills, 0);
  });
});

const TINY = { seqLen: 8, units: 6, evalSize: 16, evalEvery: 10, checkpointEvery: 5 };

describe('utilityLauncher running child-main through process.parentPort', () => {
  it('trains a run to completion, streams its events, and the runner exits by itself', async (t) => {
    const exits: (number | null)[] = [];
    const { forkFn, killed } = shimFork();
    const launcher = utilityLauncher(forkFn, { exitGraceMs: 60_000 });
    const wb = new Workbench({
      dbPath: path.join(tempDir(t), 'wb.sqlite'),
      launcher: (m, a) => {
        const child = launcher(m, a);
        child.onExit((code) => exits.push(code));
        return child;
      },
    });
    t.after(() => wb.close());
    const events: RunEvent[] = [];
    wb.onRunEvent((e) => events.push(e));
    const run = await wb.startRun({
      arch: 'gru',
      task: 'adding',
      seed: 3,
      steps: 6,
      backend: 'cpu',
      set: TINY,
    });
    const done = await wb.waitForRun(run.id);
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.equal(done.step, 6);
    assert.deepEqual(
      events.flatMap((e) => (e.type === 'metrics' && e.step > 0 ? [e.step] : [])),
      [1, 2, 3, 4, 5, 6],
    );
    // It exited on its own (process.exit after 'done'), not by the adapter's kill of a lingering runner.
    assert.deepEqual(exits, [0]);
    assert.deepEqual(killed, []);
    assert.ok(events.some((e) => e.type === 'status' && e.status === 'completed'));
  });

  it('stops a run on request: the cancel message arrives over parentPort, it checkpoints and stops', async (t) => {
    const wb = new Workbench({
      dbPath: path.join(tempDir(t), 'wb.sqlite'),
      launcher: utilityLauncher(shimFork().forkFn),
    });
    t.after(() => wb.close());
    const run = await wb.startRun({
      arch: 'lstm',
      task: 'adding',
      seed: 1,
      steps: 100000,
      backend: 'cpu',
      set: TINY,
    });
    await untilRunEvent(wb, (e) => e.type === 'metrics' && e.step === 3);
    await wb.stopRun({ runId: run.id });
    const stopped = await wb.waitForRun(run.id);
    assert.equal(stopped.status, 'stopped');
    assert.equal((await wb.checkpoints({ runId: run.id })).at(-1)!.step, stopped.step);
  });
});
