// Runs a group of tests once per TF.js backend that starts here (cpu, wasm); a missing backend's tests are skipped.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import * as tf from '../../core/engine/tf.ts';
import { selectBackend } from '../../core/engine/backend.ts';

export const TEST_BACKENDS = ['cpu', 'wasm'] as const;

/**
 * describe(`${title} on the ${backend} backend`) for each of TEST_BACKENDS; `body` declares its tests with the
 * `test` it is given (also inside describe()s of its own), which skips (saying why) when that backend could not
 * start.
 */
export function describeOnBackends(
  title: string,
  body: (test: (name: string, fn: (t: TestContext) => void) => void) => void,
): void {
  for (const backend of TEST_BACKENDS) {
    describe(`${title} on the ${backend} backend`, () => {
      let unavailable: string | null = null;
      before(async () => {
        try {
          await selectBackend(backend);
        } catch (err) {
          unavailable = `${backend} backend cannot start here: ${err instanceof Error ? err.message : String(err)}`;
        }
      });
      body((name, fn) => {
        it(name, (t) => {
          if (unavailable !== null) {
            t.skip(unavailable);
            return;
          }
          assert.equal(tf.getBackend(), backend);
          fn(t);
        });
      });
    });
  }
}
