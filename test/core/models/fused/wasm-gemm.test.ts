// The WebAssembly SIMD GEMM against the plain-JS reference: odd sizes, transposes, beta, threads, its arena.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { referenceGemm } from '../../../../core/engine/kernels/gemm.ts';
import { createWasmGemm, hasRelaxedSimd, type WasmGemm } from '../../../../core/engine/kernels/wasm-gemm.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import { assertAllClose } from '../../../helpers/all-close.ts';

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [5, 9, 3],
  [7, 13, 11],
  [4, 8, 256],
  [33, 70, 129],
  [64, 128, 257],
  [130, 520, 300], // more than one M, N and K block
  [40, 1, 300], // fewer than 8 columns: the dot-product and row-SIMD paths
  [37, 5, 17],
  [130, 3, 1000],
  [120, 256, 513], // K split into blocks of 257 and 256 (not 256, 256 and 1)
];

/** C from the engine and from the reference for the same random A, B and C. */
function both(
  g: WasmGemm,
  tA: boolean,
  tB: boolean,
  M: number,
  N: number,
  K: number,
  beta: 0 | 1,
  seed: number,
) {
  const rng = Rng.stream(seed, 'gemm');
  const A = g.alloc(M * K);
  const B = g.alloc(K * N);
  const C = g.alloc(M * N);
  A.set(rng.uniformArray(M * K, -1, 1));
  B.set(rng.uniformArray(K * N, -1, 1));
  C.set(rng.uniformArray(M * N, -1, 1));
  const expected = Float32Array.from(C);
  referenceGemm().gemm(tA, tB, M, N, K, A, B, beta, expected);
  g.gemm(tA, tB, M, N, K, A, B, beta, C);
  const actual = Float32Array.from(C);
  [A, B, C].forEach((x) => g.free(x));
  return { actual, expected };
}

describe('WebAssembly GEMM', () => {
  const engines: WasmGemm[] = [];
  let one: WasmGemm;
  let two: WasmGemm;
  let plain: WasmGemm;
  before(async () => {
    one = await createWasmGemm({ threads: 1 });
    two = await createWasmGemm({ threads: 2 });
    plain = await createWasmGemm({ threads: 1, relaxed: false });
    engines.push(one, two, plain);
  });
  after(() => engines.forEach((e) => e.dispose()));

  it('detects relaxed SIMD and names itself', async () => {
    assert.equal(one.relaxed, await hasRelaxedSimd());
    assert.equal(plain.relaxed, false);
    assert.match(two.description, /2 threads/);
  });

  it('gemmPacked equals gemm bit for bit (odd sizes, both transposes, 1 and 2 threads)', () => {
    let seed = 1000;
    const sizes: [number, number, number][] = [
      ...SIZES,
      [120, 512, 256],
      [120, 256, 512],
      [301, 17, 100],
      [9, 1030, 70],
    ];
    for (const g of [one, two, plain])
      for (const [M, N, K] of sizes)
        for (const tA of [false, true])
          for (const tB of [false, true])
            for (const beta of [0, 1] as const) {
              const rng = Rng.stream(seed++, 'gemm');
              const A = g.alloc(M * K);
              const B = g.alloc(K * N);
              const C = g.alloc(M * N);
              A.set(rng.uniformArray(M * K, -1, 1));
              B.set(rng.uniformArray(K * N, -1, 1));
              C.set(rng.uniformArray(M * N, -1, 1));
              const C0 = Float32Array.from(C);
              g.gemm(tA, tB, M, N, K, A, B, beta, C);
              const expected = Float32Array.from(C);
              const packed = g.packB(tB, K, N, B);
              C.set(C0);
              g.gemmPacked(tA, M, N, K, A, packed, beta, C);
              g.gemmPacked(tA, M, N, K, A, packed, beta, C0); // a second use of the same pack
              g.freePacked(packed);
              const label = `${g.name} ${tA ? 't' : 'n'}${tB ? 't' : 'n'} ${M}x${N}x${K} beta ${beta}`;
              assert.deepEqual(
                new Uint32Array(C.buffer, C.byteOffset, M * N),
                new Uint32Array(expected.buffer),
                label,
              );
              assert.deepEqual(
                new Uint32Array(C0.buffer),
                new Uint32Array(expected.buffer),
                `${label} (again)`,
              );
              [A, B, C].forEach((x) => g.free(x));
            }
  });

  it('equals the reference for every transpose, beta and odd size', () => {
    let seed = 0;
    for (const g of [one, plain])
      for (const [M, N, K] of SIZES)
        for (const tA of [false, true])
          for (const tB of [false, true])
            for (const beta of [0, 1] as const) {
              const { actual, expected } = both(g, tA, tB, M, N, K, beta, seed++);
              const label = `${g.name} ${tA ? 't' : 'n'}${tB ? 't' : 'n'} ${M}x${N}x${K} beta ${beta}`;
              // float32 sums of K terms in another order: |error| ≲ K·ε·max|term|
              assertAllClose(actual, expected, { rtol: 1e-5, atol: 1e-6 * Math.sqrt(K), label });
            }
  });

  it('gives the same bits on 1 and 2 threads, and on every run', () => {
    for (const [M, N, K] of [
      [130, 520, 300],
      [64, 16, 2000],
      [200, 8, 64],
    ] as [number, number, number][]) {
      const a = both(one, true, false, M, N, K, 1, 5).actual;
      const b = both(two, true, false, M, N, K, 1, 5).actual;
      const c = both(two, true, false, M, N, K, 1, 5).actual;
      assert.deepEqual(b, a, `${M}x${N}x${K}: 2 threads differ from 1`);
      assert.deepEqual(c, b, `${M}x${N}x${K}: two runs differ`);
    }
  });

  it('reads subarrays in place and stages arrays from outside its memory', () => {
    const rng = Rng.stream(9, 'gemm views');
    const big = one.alloc(1000);
    big.set(rng.uniformArray(1000, -1, 1));
    const A = big.subarray(16, 16 + 6 * 5); // 6×5
    const B = new Float32Array(rng.uniformArray(5 * 7, -1, 1)); // plain JS memory
    const C = new Float32Array(6 * 7);
    const expected = new Float32Array(6 * 7);
    referenceGemm().gemm(false, false, 6, 7, 5, A, B, 0, expected);
    one.gemm(false, false, 6, 7, 5, A, B, 0, C);
    assertAllClose(C, expected, { label: 'staged' });
    one.free(big);
  });

  it('K = 0 gives beta·C; alloc returns zeroed, reused memory', () => {
    const C = one.alloc(6);
    C.fill(3);
    one.gemm(false, false, 2, 3, 0, one.alloc(0), one.alloc(0), 1, C);
    assert.deepEqual(Array.from(C), [3, 3, 3, 3, 3, 3]);
    one.gemm(false, false, 2, 3, 0, one.alloc(0), one.alloc(0), 0, C);
    assert.deepEqual(Array.from(C), [0, 0, 0, 0, 0, 0]);
    const live = one.liveBytes();
    const x = one.alloc(5000);
    x.fill(7);
    one.free(x);
    const y = one.alloc(5000);
    assert.equal(y.byteOffset, x.byteOffset, 'a freed block is reused');
    assert.ok(
      y.every((v) => v === 0),
      'reused memory is zeroed',
    );
    one.free(y);
    one.free(C);
    assert.ok(one.liveBytes() <= live);
  });
});
