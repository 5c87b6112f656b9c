// EMA smoothing: identity at weight 0, debiased start, non-finite values passed through.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emaSmooth } from '../../../core/compare/smoothing.ts';
import { assertAllClose } from '../../helpers/all-close.ts';

describe('emaSmooth', () => {
  it('returns the values unchanged at weight 0', () => {
    assert.deepEqual(emaSmooth([3, 1, 2], 0), [3, 1, 2]);
  });

  it('is debiased: a constant series stays constant from its first value', () => {
    assertAllClose(emaSmooth([5, 5, 5, 5], 0.9), [5, 5, 5, 5], { rtol: 1e-12, atol: 0 });
  });

  it('follows s_n = w s_(n-1) + (1-w) v_n divided by 1 - w^n', () => {
    // w = 0.5: s = 0.5, 1.25 → 0.5/0.5 = 1, 1.25/0.75 = 5/3.
    assertAllClose(emaSmooth([1, 2], 0.5), [1, 5 / 3], { rtol: 1e-12, atol: 0 });
  });

  it('passes non-finite values through without poisoning the rest', () => {
    const out = emaSmooth([1, NaN, 1, Infinity], 0.6);
    assert.ok(Number.isNaN(out[1]));
    assert.equal(out[3], Infinity);
    assertAllClose([out[0]!, out[2]!], [1, 1], { rtol: 1e-12, atol: 0 });
  });

  it('clamps the weight below 1 so the curve still moves', () => {
    const out = emaSmooth([0, 1000], 5);
    assert.ok(out[1]! > 0 && Number.isFinite(out[1]));
  });
});
