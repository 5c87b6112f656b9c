// assertAllClose: numpy.allclose-style comparison (|a − e| ≤ atol + rtol·|e|) that names the worst element on failure.
import assert from 'node:assert/strict';

export interface Tolerance {
  rtol: number;
  atol: number;
}

export interface CloseOptions extends Partial<Tolerance> {
  /** Shape of both arrays (row-major), so a failure names the element by its multi-index. */
  shape?: readonly number[];
  /** What is compared, for the failure message (e.g. 'lstm grad weight_hh'). */
  label?: string;
}

/** How far `actual` is from `expected`, element by element. */
export interface CloseReport {
  /** max |a − e| / (atol + rtol·|e|): ≤ 1 passes. */
  worstRatio: number;
  /** Flat index of the element with the worst ratio (−1 when empty). */
  worstIndex: number;
  maxAbsError: number;
  /** max |a − e| / |e| over elements with |e| ≥ `relFloor` (relative error is meaningless near zero). */
  maxRelError: number;
}

/** Elements smaller than this are left out of `maxRelError`. */
export const REL_FLOOR = 1e-3;

function multiIndex(flat: number, shape: readonly number[] | undefined): string {
  if (!shape || shape.length === 0) return `[${flat}]`;
  const idx: number[] = [];
  let rest = flat;
  for (let k = shape.length - 1; k >= 0; k--) {
    const n = shape[k]!;
    idx.unshift(rest % n);
    rest = Math.floor(rest / n);
  }
  return `[${idx.join(', ')}]`;
}

/** Compare without asserting (for reporting the worst errors seen). */
export function compareClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
): CloseReport {
  let worstRatio = 0;
  let worstIndex = actual.length > 0 ? 0 : -1;
  let maxAbsError = 0;
  let maxRelError = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const err = Math.abs(a - e);
    // NaN must fail: a NaN error makes the ratio NaN, which `>` would skip, so treat it as infinite.
    const ratio = Number.isNaN(err) ? Infinity : err / (tol.atol + tol.rtol * Math.abs(e));
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worstIndex = i;
    }
    if (err > maxAbsError || Number.isNaN(err)) maxAbsError = Number.isNaN(err) ? Infinity : err;
    if (Math.abs(e) >= REL_FLOOR)
      maxRelError = Math.max(maxRelError, Number.isNaN(err) ? Infinity : err / Math.abs(e));
  }
  return { worstRatio, worstIndex, maxAbsError, maxRelError };
}

/**
 * Assert |actual − expected| ≤ atol + rtol·|expected| elementwise (defaults rtol 1e-5, atol 1e-6, as
 * jax-js's toBeAllclose). On failure the message names the worst element, its two values and the error.
 */
export function assertAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  options: CloseOptions = {},
): CloseReport {
  const tol = { rtol: options.rtol ?? 1e-5, atol: options.atol ?? 1e-6 };
  const what = options.label ? `${options.label}: ` : '';
  assert.equal(
    actual.length,
    expected.length,
    `${what}length ${actual.length} ≠ expected ${expected.length}`,
  );
  if (options.shape) {
    const size = options.shape.reduce((a, b) => a * b, 1);
    assert.equal(
      expected.length,
      size,
      `${what}${expected.length} values do not fill shape [${options.shape.join(', ')}]`,
    );
  }
  const report = compareClose(actual, expected, tol);
  if (report.worstRatio > 1) {
    const i = report.worstIndex;
    const a = actual[i]!;
    const e = expected[i]!;
    const bad = Array.from({ length: actual.length }, (_, k) => k).filter((k) => {
      const err = Math.abs(actual[k]! - expected[k]!);
      return !(err <= tol.atol + tol.rtol * Math.abs(expected[k]!));
    }).length;
    assert.fail(
      `${what}${bad} of ${actual.length} elements not close (rtol ${tol.rtol}, atol ${tol.atol}); worst at ` +
        `${multiIndex(i, options.shape)}: actual ${a}, expected ${e}, |diff| ${Math.abs(a - e)} ` +
        `(${report.worstRatio.toFixed(2)}× the tolerance)`,
    );
  }
  return report;
}
