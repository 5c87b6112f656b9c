// openStore: checks, opens, configures and migrates the SQLite run database, then reaps dead runs.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { WorkbenchError } from '../api/errors.ts';
import { assertSchemaKnown, loadMigrations, migrate } from './migrate.ts';
import type { Db } from './statements.ts';
import { guarded } from './storage-errors.ts';
import { Store } from './store.ts';

/** Callers open and hold a store through this module, the storage entry point. */
export { Store };

/** The 16 bytes every SQLite 3 database file starts with. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Refuses a file that exists but is not an SQLite database, reading only its header: better-sqlite3
 * must not open it, since opening and configuring (WAL) could write to someone's unrelated file.
 * A missing or empty (0-byte) file is a new database.
 */
function assertSqliteFile(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return;
    throw err;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory())
      throw new WorkbenchError('bad_database', `${file} is a directory, not an SQLite database`);
    if (stat.size === 0) return;
    const header = Buffer.alloc(SQLITE_HEADER.length);
    const read = fs.readSync(fd, header, 0, header.length, 0);
    if (read < header.length || !header.equals(SQLITE_HEADER))
      throw new WorkbenchError(
        'bad_database',
        `${file} is not an SQLite database (it does not start with "SQLite format 3"); it was left untouched: ` +
          `choose another database path or move the file aside`,
      );
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Opens (creating when missing) the run database at `file`: header check, parent folders, pragmas,
 * migrations, then reapDeadRuns so a killed runner never leaves a run 'running'. The schema version is
 * checked before anything is written, so a database from a newer app is refused unmodified.
 */
export function openStore(file: string): Store {
  return guarded(file, () => {
    assertSqliteFile(file);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const migrations = loadMigrations();
    const db: Db = new Database(file);
    try {
      // Connection-only settings first; journal_mode = WAL is the first write to the file.
      db.pragma('busy_timeout = 5000');
      assertSchemaKnown(db, migrations, file);
      // WAL: the runner writes while the app reads, without either blocking the other.
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      // NORMAL is durable across application crashes in WAL mode; only an OS crash may lose the last commits.
      db.pragma('synchronous = NORMAL');
      migrate(db, migrations, file);
      const store = new Store(db, file);
      store.reapDeadRuns();
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  });
}
