// Shared test helpers for the storage layer: throw-away database folders, a second raw connection, sample specs.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { WorkbenchError } from '../../../core/api/errors.ts';
import type { ErrorCode } from '../../../core/api/errors.ts';
import type { RunSpec } from '../../../core/api/types.ts';
import { openStore } from '../../../core/storage/db.ts';
import type { Store } from '../../../core/storage/store.ts';

/** A fresh temporary folder, removed when the test ends. */
export function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnwb-storage-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store in a fresh folder, closed when the test ends (before its folder is removed). */
export function testStore(t: TestContext): { store: Store; file: string } {
  const file = path.join(tempDir(t), 'runs.sqlite');
  const store = openStore(file);
  t.after(() => store.close());
  return { store, file };
}

/**
 * A second connection to the store's file, for looking at (or sabotaging) rows the Store API does not expose;
 * WAL lets it read and write beside the store's own connection.
 */
export function rawDb(t: TestContext, file: string): Database.Database {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  t.after(() => db.close());
  return db;
}

export function sampleSpec(over: Partial<RunSpec> = {}): RunSpec {
  return {
    arch: 'cornn',
    task: 'adding',
    seed: 7,
    steps: 1000,
    archConfig: { units: 64, dt: 0.042, gamma: 2.7 },
    taskConfig: { length: 100 },
    trainConfig: { lr: 0.002, clip: true, optimizer: 'adam' },
    backend: 'auto',
    ...over,
  };
}

/** Creates run `id` with a sample spec; `createdAt` orders listings. */
export function addRun(store: Store, id: string, createdAt = 1_000, over: Partial<RunSpec> = {}): void {
  store.createRun({ id, experiment: 'default', spec: sampleSpec(over), baseline: 1 / 6, createdAt });
}

/** A validator for assert.throws: the error is a WorkbenchError with `code` and, when given, a matching message. */
export function workbenchError(code: ErrorCode, message?: RegExp): (err: unknown) => true {
  return (err: unknown) => {
    if (!(err instanceof WorkbenchError) || err.code !== code)
      throw new Error(
        `expected WorkbenchError '${code}', got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
        {
          cause: err,
        },
      );
    if (message && !message.test(err.message))
      throw new Error(`message ${JSON.stringify(err.message)} does not match ${message}`);
    return true;
  };
}
