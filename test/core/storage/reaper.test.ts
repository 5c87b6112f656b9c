// reapDeadRuns: runs whose runner is gone become 'interrupted'; live, foreign-host and recent queued runs stay.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../../../core/storage/db.ts';
import {
  LOCAL_HEARTBEAT_LIMIT_MS,
  QUEUED_LIMIT_MS,
  REMOTE_HEARTBEAT_LIMIT_MS,
} from '../../../core/storage/reaper.ts';
import { addRun, tempDir, testStore } from './helpers.ts';

/** The pid of a process that has certainly exited: a child we started and waited for. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  assert.equal(child.status, 0);
  return child.pid;
}

describe('reapDeadRuns', () => {
  it('interrupts, at the next open, a run whose runner process has exited, and keeps one whose runner lives', (t) => {
    const file = path.join(tempDir(t), 'runs.sqlite');
    const now = Date.now();
    const pid = deadPid();
    const first = openStore(file);
    addRun(first, 'orphan', now);
    addRun(first, 'alive', now);
    first.claimRun('orphan', { pid, host: os.hostname(), now });
    first.claimRun('alive', { pid: process.pid, host: os.hostname(), now });
    first.close();

    const store = openStore(file);
    t.after(() => store.close());
    const orphan = store.getRun('orphan');
    assert.equal(orphan.status, 'interrupted');
    assert.match(orphan.error ?? '', new RegExp(`process ${pid} .* is gone`));
    assert.equal(orphan.endedAt, now, 'ended at its last heartbeat');
    assert.equal(store.getRun('alive').status, 'running');
    assert.deepEqual(store.reapDeadRuns(), [], 'a second pass finds nothing');
    // An interrupted run can be claimed again (resume).
    store.claimRun('orphan', { pid: process.pid, host: os.hostname(), now: now + 1 });
    assert.equal(store.getRun('orphan').status, 'running');
  });

  it('interrupts a local run whose live pid has not beaten for 15 minutes (a hung runner or a reused pid)', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1', 0);
    store.claimRun('r1', { pid: process.pid, host: os.hostname(), now: 1_000 });
    assert.deepEqual(store.reapDeadRuns(undefined, 1_000 + LOCAL_HEARTBEAT_LIMIT_MS), []);
    assert.deepEqual(store.reapDeadRuns(undefined, 1_001 + LOCAL_HEARTBEAT_LIMIT_MS), ['r1']);
    assert.match(store.getRun('r1').error ?? '', /no heartbeat since/);
  });

  it('leaves a run on another host alone until it has been silent for 24 hours', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1', 0);
    store.claimRun('r1', { pid: 1, host: `not-${os.hostname()}`, now: 1_000 });
    assert.deepEqual(store.reapDeadRuns(undefined, 1_000 + REMOTE_HEARTBEAT_LIMIT_MS), []);
    store.heartbeat('r1', 2_000);
    assert.deepEqual(store.reapDeadRuns(undefined, 1_001 + REMOTE_HEARTBEAT_LIMIT_MS), []);
    assert.deepEqual(store.reapDeadRuns(undefined, 2_001 + REMOTE_HEARTBEAT_LIMIT_MS), ['r1']);
    assert.equal(store.getRun('r1').endedAt, 2_000);
  });

  it('interrupts a queued run that no runner claimed within a minute', (t) => {
    const { store } = testStore(t);
    addRun(store, 'q', 10_000);
    assert.deepEqual(store.reapDeadRuns(undefined, 10_000 + QUEUED_LIMIT_MS), []);
    assert.deepEqual(store.reapDeadRuns(undefined, 10_001 + QUEUED_LIMIT_MS), ['q']);
    assert.equal(store.getRun('q').status, 'interrupted');
    assert.equal(store.getRun('q').endedAt, 10_000);
  });

  it('asks a given isAlive about every owned run and never touches finished runs', (t) => {
    const { store } = testStore(t);
    for (const id of ['a', 'b', 'done']) {
      addRun(store, id, 0);
      store.claimRun(id, { pid: id.charCodeAt(0), host: 'h', now: 1 });
    }
    store.finishRun('done', 'completed', null, 2);
    const asked: string[] = [];
    const reaped = store.reapDeadRuns((pid, host) => {
      asked.push(`${pid}@${host}`);
      return pid === 'a'.charCodeAt(0);
    }, 3);
    assert.deepEqual(reaped, ['b']);
    assert.deepEqual(asked.sort(), ['97@h', '98@h']);
    assert.equal(store.getRun('a').status, 'running');
    assert.equal(store.getRun('done').status, 'completed');
  });
});
