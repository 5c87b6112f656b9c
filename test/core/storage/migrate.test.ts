// Migrations: only pending ones run, each atomically with its user_version; misnumbered files are refused.
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadMigrations, migrate } from '../../../core/storage/migrate.ts';
import type { Migration } from '../../../core/storage/migrate.ts';
import { tempDir, workbenchError } from './helpers.ts';

const m = (version: number, sql: string): Migration => ({
  version,
  name: `${String(version).padStart(4, '0')}_test.sql`,
  sql,
});

describe('migrate', () => {
  it('applies the migrations above user_version, each with its version bump, and nothing twice', () => {
    const db = new Database(':memory:');
    const first = [m(1, 'CREATE TABLE a (x)'), m(2, 'CREATE TABLE b (x)')];
    assert.deepEqual(migrate(db, first), { from: 0, to: 2, applied: ['0001_test.sql', '0002_test.sql'] });
    assert.deepEqual(migrate(db, first), { from: 2, to: 2, applied: [] });
    const more = [...first, m(3, 'CREATE TABLE c (x)')];
    assert.deepEqual(migrate(db, more), { from: 2, to: 3, applied: ['0003_test.sql'] });
    db.close();
  });

  it('rolls a failing migration back completely, keeping the previous version', () => {
    const db = new Database(':memory:');
    migrate(db, [m(1, 'CREATE TABLE a (x)')]);
    const broken = [m(1, 'CREATE TABLE a (x)'), m(2, 'CREATE TABLE b (x); INSERT INTO nowhere VALUES (1);')];
    assert.throws(
      () => migrate(db, broken, 'test.sqlite'),
      workbenchError('internal', /0002_test\.sql failed on test\.sqlite/),
    );
    assert.equal(db.pragma('user_version', { simple: true }), 1);
    assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").all(), []);
    db.close();
  });

  it('refuses a database newer than the newest migration before writing anything', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 5');
    assert.throws(
      () => migrate(db, [m(1, 'CREATE TABLE a (x)')], 'x.sqlite'),
      workbenchError('schema_too_new', /x\.sqlite.*5.*1/),
    );
    assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE name = 'a'").all(), []);
    db.close();
  });
});

describe('loadMigrations', () => {
  it('reads the repository migrations numbered from 0001 without gaps', () => {
    const all = loadMigrations();
    assert.ok(all.length >= 1);
    all.forEach((mig, i) => assert.equal(mig.version, i + 1));
    assert.match(all[0]?.name ?? '', /^0001_init\.sql$/);
  });

  it('refuses a gap in the numbering and a misnamed file', (t) => {
    const gap = tempDir(t);
    fs.writeFileSync(path.join(gap, '0001_a.sql'), 'SELECT 1;');
    fs.writeFileSync(path.join(gap, '0003_c.sql'), 'SELECT 1;');
    assert.throws(() => loadMigrations(gap), workbenchError('internal', /0003_c\.sql where 0002_/));
    const misnamed = tempDir(t);
    fs.writeFileSync(path.join(misnamed, '0001_a.sql'), 'SELECT 1;');
    fs.writeFileSync(path.join(misnamed, '2_b.sql'), 'SELECT 1;');
    assert.throws(
      () => loadMigrations(misnamed),
      workbenchError('internal', /2_b\.sql is not named NNNN_slug\.sql/),
    );
  });
});
