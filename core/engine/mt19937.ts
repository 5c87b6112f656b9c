// MT19937 as PyTorch's CPU generator and NumPy's legacy RandomState use it, and NumPy's legacy permutation.

/**
 * MT19937 (Matsumoto & Nishimura 1998) with the reference `init_genrand` seeding, the generator behind both
 * PyTorch's CPU generator (`at::mt19937`, seeded by `torch.manual_seed(s)` with s mod 2³²) and NumPy's legacy
 * `RandomState(s)` (`mt19937_seed`).
 */
export class Mt19937 {
  private readonly mt = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      // 1812433253 · prev + i (mod 2³²), split to stay exact in doubles.
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  /** genrand_int32: the next 32-bit output. */
  nextU32(): number {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % 624]! & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y = (y ^ ((y << 7) & 0x9d2c5680)) >>> 0;
    y = (y ^ ((y << 15) & 0xefc60000)) >>> 0;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

/**
 * NumPy's legacy `np.random.RandomState(seed).permutation(n)`: arange(n) shuffled by the legacy Fisher–Yates
 * (`_shuffle_raw`): for i = n−1 … 1, j = random_interval(i), swap a[i], a[j]; random_interval draws
 * mt19937 outputs masked to the smallest 2^k − 1 ≥ i and rejects those above i (RandomState's stream is frozen,
 * NEP 19). Used by expRNN's psMNIST (seed 92916) and the uRNN's permutation (models/cells/urnn.ts).
 */
export function numpyPermutation(n: number, seed: number): Int32Array {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31) throw new RangeError(`numpyPermutation: bad n ${n}`);
  const gen = new Mt19937(seed);
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = n - 1; i > 0; i--) {
    let mask = i;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    let j: number;
    do j = (gen.nextU32() & mask) >>> 0;
    while (j > i);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}
