// Schema snapshot: a fresh database's schema must equal test/fixtures/schema-snapshot.sql, so every change is reviewed.
//
// When you add a migration, regenerate the snapshot and commit it with the migration:
//   UPDATE_SCHEMA_SNAPSHOT=1 node --test test/core/storage/schema.test.ts
import type Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RUN_STATUSES } from '../../../core/api/types.ts';
import { openStore } from '../../../core/storage/db.ts';
import { rawDb, tempDir } from './helpers.ts';

const SNAPSHOT = fileURLToPath(new URL('../../fixtures/schema-snapshot.sql', import.meta.url));

/**
 * The schema as stable text: every object of sqlite_master with SQL, ordered by type and name, with comments,
 * indentation and blank lines removed (so reformatting a migration does not break the snapshot) and the
 * schema version on top.
 */
function dumpSchema(db: Database.Database): string {
  const rows = db
    .prepare<[], { type: string; name: string; sql: string }>(
      'SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name',
    )
    .all();
  const statements = rows.map((r) =>
    r.sql
      .split('\n')
      .map((line) => line.replace(/--.*$/, '').trim())
      .filter((line) => line !== '')
      .join('\n')
      .concat(';'),
  );
  return (
    [`-- user_version ${String(db.pragma('user_version', { simple: true }))}`, ...statements].join('\n\n') +
    '\n'
  );
}

describe('schema', () => {
  it('matches test/fixtures/schema-snapshot.sql (regenerate: UPDATE_SCHEMA_SNAPSHOT=1, see the header)', (t) => {
    const file = path.join(tempDir(t), 'fresh.sqlite');
    openStore(file).close();
    const actual = dumpSchema(rawDb(t, file));
    if (process.env['UPDATE_SCHEMA_SNAPSHOT'] === '1') fs.writeFileSync(SNAPSHOT, actual);
    assert.equal(
      actual,
      fs.readFileSync(SNAPSHOT, 'utf8'),
      'schema changed: review the diff and regenerate the snapshot',
    );
  });

  it('accepts exactly the statuses of RUN_STATUSES in runs.status', (t) => {
    const file = path.join(tempDir(t), 'fresh.sqlite');
    openStore(file).close();
    const db = rawDb(t, file);
    db.exec("INSERT INTO experiments (id, name, created_at) VALUES (1, 'e', 0)");
    const insert = db.prepare(
      "INSERT INTO runs (id, experiment_id, arch, task, status, seed, steps, spec, created_at) VALUES (?, 1, 'a', 't', ?, 0, 1, '{}', 0)",
    );
    for (const status of RUN_STATUSES) insert.run(`run-${status}`, status);
    assert.throws(() => insert.run('run-bogus', 'paused'), /CHECK constraint failed/);
  });
});
