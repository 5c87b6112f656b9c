// Prepared-statement cache per connection: the hot paths (metric batches, heartbeats) must not re-parse SQL.
import type Database from 'better-sqlite3';

export type Db = Database.Database;
/** Values better-sqlite3 binds (it rejects booleans and undefined). */
export type SqlValue = string | number | bigint | Uint8Array | null;

const caches = new WeakMap<Db, Map<string, Database.Statement<unknown[], unknown>>>();

function cached(db: Db, sql: string): Database.Statement<unknown[], unknown> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare<unknown[], unknown>(sql);
    cache.set(sql, s);
  }
  return s;
}

/** The prepared statement for `sql` (positional `?` parameters) on `db`, prepared once; `R` is the row shape. */
export function stmt<R = unknown>(db: Db, sql: string): Database.Statement<SqlValue[], R> {
  return cached(db, sql) as Database.Statement<SqlValue[], R>;
}

/**
 * The same for SQL with `@name` parameters, bound from one object: the way to use a value twice, since
 * better-sqlite3 does not accept numbered `?NNN` parameters.
 */
export function namedStmt<R = unknown>(
  db: Db,
  sql: string,
): Database.Statement<[Record<string, SqlValue>], R> {
  return cached(db, sql) as Database.Statement<[Record<string, SqlValue>], R>;
}

/** Runs `fn` in a BEGIN IMMEDIATE transaction: writers take the lock up front, so `busy_timeout` applies
 * instead of a deadlock-prone read-to-write upgrade when the runner and the app write at once. */
export function inWriteTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
