// Schema migrations: migrations/NNNN_slug.sql applied in order above PRAGMA user_version, one transaction each.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkbenchError } from '../api/errors.ts';
import type { Db } from './statements.ts';
import { mapStorageError } from './storage-errors.ts';

/** The repository's migrations/ folder, found from this module so the app works from any working directory. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface Migration {
  /** The NNNN of the file name: the user_version the database has once this migration is applied. */
  version: number;
  /** The file name, for messages. */
  name: string;
  sql: string;
}

const FILE_PATTERN = /^(\d{4})_[a-z0-9][a-z0-9_-]*\.sql$/;

/**
 * Reads every migration in `dir`, checked to be numbered 1, 2, 3 … without gaps or duplicates:
 * a misnamed or missing file would otherwise be skipped silently and leave databases on different schemas.
 */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const out: Migration[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    if (!name.endsWith('.sql')) continue;
    const match = FILE_PATTERN.exec(name);
    if (!match?.[1])
      throw new WorkbenchError(
        'internal',
        `migration file ${path.join(dir, name)} is not named NNNN_slug.sql`,
      );
    out.push({ version: Number(match[1]), name, sql: fs.readFileSync(path.join(dir, name), 'utf8') });
  }
  out.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new WorkbenchError(
        'internal',
        `migrations in ${dir} must be numbered 0001, 0002 … without gaps: found ${m.name} where ${String(i + 1).padStart(4, '0')}_… was expected`,
      );
  });
  return out;
}

/** The schema version stored in the database file. */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Throws `schema_too_new` when the database was written by a newer app; reads only, so such a file
 * is never modified (an older app must not "repair" a schema it does not know).
 */
export function assertSchemaKnown(db: Db, migrations: readonly Migration[], label: string): void {
  const current = schemaVersion(db);
  const newest = migrations.length === 0 ? 0 : Math.max(...migrations.map((m) => m.version));
  if (current > newest)
    throw new WorkbenchError(
      'schema_too_new',
      `${label} has schema version ${current} but this version of RNN Workbench knows only up to ${newest}: ` +
        `upgrade the app to open it (the file was not modified)`,
    );
}

export interface MigrateResult {
  from: number;
  to: number;
  /** File names of the migrations applied now, in order. */
  applied: string[];
}

/**
 * Applies the migrations above the database's user_version. Each runs in one IMMEDIATE transaction together
 * with its user_version bump, so a failure leaves the previous version intact, and the version is re-read
 * inside the lock so two processes opening a fresh database at once do not apply a migration twice.
 */
export function migrate(
  db: Db,
  migrations: readonly Migration[] = loadMigrations(),
  label = 'the database',
): MigrateResult {
  assertSchemaKnown(db, migrations, label);
  const from = schemaVersion(db);
  const applied: string[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= from) continue;
    try {
      db.transaction(() => {
        if (schemaVersion(db) >= m.version) return;
        db.exec(m.sql);
        db.pragma(`user_version = ${m.version}`);
        applied.push(m.name);
      }).immediate();
    } catch (err) {
      const mapped = mapStorageError(err, label);
      if (mapped instanceof WorkbenchError) throw mapped;
      const why = err instanceof Error ? err.message : String(err);
      throw new WorkbenchError(
        'internal',
        `migration ${m.name} failed on ${label} and was rolled back: ${why}`,
      );
    }
  }
  return { from, to: schemaVersion(db), applied };
}
