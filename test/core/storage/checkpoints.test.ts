// Checkpoints: only the newest three are kept, with size and sha256, and a damaged blob is refused.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { addRun, rawDb, testStore, workbenchError } from './helpers.ts';

const blob = (step: number) =>
  new Uint8Array(Array.from({ length: 100 + step }, (_, i) => (i * 31 + step) % 256));

describe('checkpoints', () => {
  it('keeps the newest three, each with its size and sha256', (t) => {
    const { store } = testStore(t);
    addRun(store, 'r1');
    assert.equal(store.latestCheckpoint('r1'), null);
    for (let step = 1; step <= 5; step++)
      store.commitProgress('r1', {
        metrics: [],
        checkpoint: { step: step * 100, data: blob(step), now: step },
        now: step,
      });
    assert.deepEqual(
      store.listCheckpoints('r1'),
      [3, 4, 5].map((s) => ({
        step: s * 100,
        createdAt: s,
        bytes: 100 + s,
        sha256: createHash('sha256').update(blob(s)).digest('hex'),
      })),
    );
    const latest = store.latestCheckpoint('r1');
    assert.equal(latest?.step, 500);
    assert.deepEqual(Array.from(latest?.data ?? []), Array.from(blob(5)));
    assert.equal(store.getRun('r1').step, 500, 'a checkpoint step counts as completed');
  });

  it('refuses a checkpoint whose data no longer matches its hash', (t) => {
    const { store, file } = testStore(t);
    addRun(store, 'r1');
    store.commitProgress('r1', { metrics: [], checkpoint: { step: 7, data: blob(7), now: 1 }, now: 1 });
    rawDb(t, file).exec("UPDATE checkpoints SET data = x'00' WHERE run_id = 'r1'");
    assert.throws(() => store.latestCheckpoint('r1'), workbenchError('bad_database', /step 7 is damaged/));
  });
});
