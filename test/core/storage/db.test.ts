// openStore: creation, idempotent reopen, refusing foreign and too-new files untouched, storage error mapping.
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../../../core/storage/db.ts';
import { loadMigrations } from '../../../core/storage/migrate.ts';
import { guarded, mapStorageError } from '../../../core/storage/storage-errors.ts';
import { addRun, rawDb, tempDir, workbenchError } from './helpers.ts';

const NEWEST = loadMigrations().length;

describe('openStore', () => {
  it('creates missing parent folders, applies every migration and uses WAL', (t) => {
    const file = path.join(tempDir(t), 'a', 'b', 'runs.sqlite');
    openStore(file).close();
    const db = rawDb(t, file);
    assert.equal(db.pragma('user_version', { simple: true }), NEWEST);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  });

  it('reopens an existing store without re-running migrations or losing data', (t) => {
    const file = path.join(tempDir(t), 'runs.sqlite');
    const first = openStore(file);
    addRun(first, 'r1', Date.now());
    first.close();
    const schemaOf = () => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
      } finally {
        db.close();
      }
    };
    const before = schemaOf();
    const second = openStore(file);
    assert.equal(second.getRun('r1').id, 'r1');
    second.close();
    assert.deepEqual(schemaOf(), before);
  });

  it('treats an empty (0-byte) file as a new database', (t) => {
    const file = path.join(tempDir(t), 'empty.sqlite');
    fs.writeFileSync(file, '');
    const store = openStore(file);
    assert.deepEqual(store.listRuns(), []);
    store.close();
  });

  for (const [what, content] of [
    ['a text file', Buffer.from('name,loss\nrun1,0.5\n'.repeat(100))],
    ['a file shorter than the SQLite header', Buffer.from('SQLite')],
    ['a file whose header is one byte off', Buffer.from('SQLite format 4\0' + 'x'.repeat(4080), 'latin1')],
  ] as const) {
    it(`refuses ${what} and leaves it byte-for-byte unchanged`, (t) => {
      const dir = tempDir(t);
      const file = path.join(dir, 'notes.sqlite');
      fs.writeFileSync(file, content);
      assert.throws(() => openStore(file), workbenchError('bad_database', /not an SQLite database/));
      assert.deepEqual(fs.readFileSync(file), content);
      assert.deepEqual(fs.readdirSync(dir), ['notes.sqlite'], 'no -wal or -shm file was created beside it');
    });
  }

  it('refuses a database whose schema is newer than the app, naming both versions, without modifying it', (t) => {
    const file = path.join(tempDir(t), 'future.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE from_the_future (x)');
    db.pragma(`user_version = ${NEWEST + 1}`);
    db.close();
    const before = fs.readFileSync(file);
    assert.throws(
      () => openStore(file),
      workbenchError('schema_too_new', new RegExp(`version ${NEWEST + 1}.*up to ${NEWEST}.*upgrade`)),
    );
    assert.deepEqual(fs.readFileSync(file), before);
    const after = rawDb(t, file);
    assert.equal(after.pragma('journal_mode', { simple: true }), 'delete', 'WAL was not switched on');
  });
});

describe('storage error mapping', () => {
  it('turns a real SQLITE_FULL into storage_full', (t) => {
    const file = path.join(tempDir(t), 'tiny.sqlite');
    const db = rawDb(t, file);
    db.exec('CREATE TABLE blobs (b BLOB)');
    db.pragma('max_page_count = 4');
    assert.throws(
      () => guarded(file, () => db.prepare('INSERT INTO blobs VALUES (?)').run(Buffer.alloc(64 * 1024))),
      workbenchError('storage_full', /full/),
    );
  });

  it('turns I/O and corruption errors into bad_database and leaves other errors alone', () => {
    const sqliteError = (code: string) => Object.assign(new Error('disk I/O error'), { code });
    assert.throws(
      () => {
        throw mapStorageError(sqliteError('SQLITE_IOERR_WRITE'), '/x.sqlite');
      },
      workbenchError('bad_database', /I\/O error on \/x\.sqlite/),
    );
    assert.throws(
      () => {
        throw mapStorageError(sqliteError('SQLITE_CORRUPT'), '/x.sqlite');
      },
      workbenchError('bad_database', /damaged/),
    );
    assert.throws(
      () => {
        throw mapStorageError(
          Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }),
          '/x.sqlite',
        );
      },
      workbenchError('bad_database', /permissions/),
    );
    const plain = new TypeError('not mine');
    assert.equal(mapStorageError(plain, '/x.sqlite'), plain);
  });
});
