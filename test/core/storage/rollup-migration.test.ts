// Migration 0002 backfills the metric rollup of a database written by 0001 exactly as fresh writes build it.
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../../../core/storage/db.ts';
import { encodeValue } from '../../../core/storage/metric-values.ts';
import { loadMigrations, migrate } from '../../../core/storage/migrate.ts';
import { addRun, rawDb, sampleSpec, tempDir, testStore } from './helpers.ts';
import { assertRollupExact, randomSeries, storedRollup } from './rollup-helpers.ts';
import type { Pt } from './rollup-helpers.ts';

/** Two runs' series, with ties, non-finite values, a run with a single point and one with none. */
function data(): Record<string, Record<string, Pt[]>> {
  return {
    r1: { loss: randomSeries(31, 6000, 1), 'eval/mse': randomSeries(32, 700, 0) },
    r2: { loss: [{ step: 5, value: NaN, wallMs: 1 }] },
    r3: {},
  };
}

describe('migration 0002 (metric rollup)', () => {
  it('backfills a database written by 0001 to the same rollup and reads as fresh writes', (t) => {
    const dir = tempDir(t);
    const oldFile = path.join(dir, 'old.sqlite');
    const old = new Database(oldFile);
    migrate(old, loadMigrations().slice(0, 1));
    assert.equal(old.pragma('user_version', { simple: true }), 1);
    old.prepare("INSERT INTO experiments (id, name, created_at) VALUES (1, 'default', 0)").run();
    const addOldRun = old.prepare(
      "INSERT INTO runs (id, experiment_id, arch, task, status, seed, steps, spec, created_at) VALUES (?, 1, 'cornn', 'adding', 'completed', 7, 1000, ?, 1000)",
    );
    const addPoint = old.prepare(
      'INSERT INTO metrics (run_id, key, step, value, nonfinite, wall_ms) VALUES (?, ?, ?, ?, ?, ?)',
    );
    old.transaction(() => {
      for (const [runId, series] of Object.entries(data())) {
        addOldRun.run(runId, JSON.stringify(sampleSpec()));
        for (const [key, pts] of Object.entries(series))
          for (const p of pts) {
            const v = encodeValue(p.value);
            addPoint.run(runId, key, p.step, v.value, v.nonfinite, p.wallMs);
          }
      }
    })();
    old.close();

    const migrated = openStore(oldFile);
    t.after(() => migrated.close());
    const { store: fresh, file: freshFile } = testStore(t);
    for (const [runId, series] of Object.entries(data())) {
      addRun(fresh, runId);
      for (const [key, pts] of Object.entries(series))
        for (let i = 0; i < pts.length; i += 450)
          fresh.commitProgress(runId, {
            metrics: pts.slice(i, i + 450).map((p) => ({ key, ...p })),
            now: 1,
          });
    }

    const oldDb = rawDb(t, oldFile);
    assert.equal(oldDb.pragma('user_version', { simple: true }), loadMigrations().length);
    for (const runId of Object.keys(data())) {
      assertRollupExact(oldDb, runId);
      assert.deepEqual(storedRollup(oldDb, runId), storedRollup(rawDb(t, freshFile), runId));
      for (const opts of [
        { maxPoints: 1000 },
        { maxPoints: 64, fromStep: 333, toStep: 9001 },
        { maxPoints: 2, fromStep: 7 },
        {},
      ])
        assert.deepEqual(
          migrated.readMetrics(runId, { keys: ['loss', 'eval/mse'], ...opts }),
          fresh.readMetrics(runId, { keys: ['loss', 'eval/mse'], ...opts }),
        );
    }
  });
});
