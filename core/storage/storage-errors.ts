// Turns SQLite and file-system failures into WorkbenchErrors a person can act on (disk full, damaged file).
import { WorkbenchError } from '../api/errors.ts';

/** The `code` of a better-sqlite3 SqliteError (e.g. 'SQLITE_IOERR_WRITE') or a Node fs error (e.g. 'ENOSPC'). */
function errorCode(err: unknown): string | null {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return null;
}

/**
 * The WorkbenchError `err` stands for, or `err` itself when it is not a storage failure.
 * SQLite's extended codes share the primary code as a prefix (SQLITE_IOERR_SHORT_READ …), hence the prefix match.
 */
export function mapStorageError(err: unknown, path: string): unknown {
  if (err instanceof WorkbenchError) return err;
  const code = errorCode(err);
  if (code === null) return err;
  const detail = err instanceof Error ? err.message : String(err);
  if (code.startsWith('SQLITE_FULL') || code === 'ENOSPC' || code === 'EDQUOT')
    return new WorkbenchError(
      'storage_full',
      `the disk holding ${path} is full (${detail}); nothing from the failed write was saved: free some space and try again`,
    );
  if (code.startsWith('SQLITE_IOERR'))
    return new WorkbenchError(
      'bad_database',
      `disk I/O error on ${path} (${code}: ${detail}); the disk may be failing, full or disconnected`,
    );
  if (code.startsWith('SQLITE_CORRUPT'))
    return new WorkbenchError(
      'bad_database',
      `${path} is damaged (${detail}); restore it from a backup, or move it aside to start a new store`,
    );
  if (code.startsWith('SQLITE_NOTADB'))
    return new WorkbenchError(
      'bad_database',
      `${path} is not an SQLite database (${detail}); it was left untouched`,
    );
  if (code.startsWith('SQLITE_CANTOPEN'))
    return new WorkbenchError(
      'bad_database',
      `cannot open ${path} (${detail}); check that its folder exists and is writable`,
    );
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new WorkbenchError(
      'bad_database',
      `cannot write ${path} (${detail}); check the permissions of the file and its folder`,
    );
  if (code.startsWith('SQLITE_BUSY'))
    return new WorkbenchError(
      'conflict',
      `${path} stayed locked by another process for 5 s (${detail}); try again`,
    );
  return err;
}

/**
 * Runs `fn`, rethrowing storage failures as WorkbenchErrors: the one place the store maps errors,
 * so no method repeats its own try/catch.
 */
export function guarded<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw mapStorageError(err, path);
  }
}
