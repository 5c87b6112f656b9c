// The seeded RNG: reproducible streams, serializable state, distributions with the right moments.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../core/engine/rng.ts';

describe('Rng', () => {
  it('gives the same sequence for the same seed and stream, different ones otherwise', () => {
    const a = Rng.stream(7, 'data');
    const b = Rng.stream(7, 'data');
    const seq = (r: Rng) => Array.from({ length: 5 }, () => r.nextU32());
    assert.deepEqual(seq(a), seq(b));
    assert.notDeepEqual(seq(Rng.stream(7, 'data')), seq(Rng.stream(7, 'init')));
    assert.notDeepEqual(seq(Rng.stream(7, 'data')), seq(Rng.stream(8, 'data')));
  });

  it('continues exactly from a saved state', () => {
    const r = Rng.stream(3, 'x');
    r.uniformArray(10, 0, 1);
    const copy = new Rng(r.state());
    assert.deepEqual(Array.from(r.uniformArray(4, 0, 1)), Array.from(copy.uniformArray(4, 0, 1)));
  });

  it('draws uniforms in [0, 1) and normals with mean 0, variance 1', () => {
    const r = Rng.stream(1, 'moments');
    const n = 200000;
    const u = r.uniformArray(n, 0, 1);
    assert.ok(u.every((v) => v >= 0 && v < 1));
    const z = r.normalArray(n);
    const mean = z.reduce((a, b) => a + b, 0) / n;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.02, `variance ${variance}`);
  });

  it('draws unbiased integers and permutations', () => {
    const r = Rng.stream(2, 'ints');
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[r.int(6)]! += 1;
    for (const c of counts) assert.ok(Math.abs(c - 10000) < 500, `count ${c}`);
    const p = Array.from(r.permutation(784));
    assert.deepEqual(
      [...p].sort((a, b) => a - b),
      Array.from({ length: 784 }, (_, i) => i),
    );
    assert.throws(() => r.int(0), RangeError);
  });
});
