// Our own seeded random numbers: TF.js has no global seed, so every initialisation and data draw comes from here.

/** Serializable state of an `Rng` (four 32-bit words of xoshiro128**). */
export type RngState = [number, number, number, number];

/** splitmix32: spreads a seed (and a stream name's hash) over the generator's state words. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a hash of a stream name, so `Rng.stream(seed, 'data')` and `'init'` never share a sequence. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * xoshiro128** (Blackman & Vigna 2018): fast, 128-bit state, passes BigCrush; its state is saved in
 * checkpoints so a resumed run draws exactly the batches an uninterrupted one would.
 */
export class Rng {
  private s: Uint32Array;

  constructor(state: RngState) {
    this.s = Uint32Array.from(state);
    if (this.s.every((w) => w === 0)) this.s[0] = 1;
  }

  /** An independent generator for `(seed, name)`: one per purpose (init, data, eval, noise). */
  static stream(seed: number, name: string): Rng {
    const mix = splitmix32((seed ^ hashName(name)) >>> 0);
    return new Rng([mix(), mix(), mix(), mix()]);
  }

  state(): RngState {
    return [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!];
  }

  /** Next raw 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const s0 = s[0]!,
      s1 = s[1]!,
      s2 = s[2]!,
      s3 = s[3]!;
    const r = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s[2] = s2 ^ s0;
    s[3] = s3 ^ s1;
    s[1] = s1 ^ s[2];
    s[0] = s0 ^ s[3];
    s[2] = s[2] ^ t;
    s[3] = rotl(s[3], 11);
    return r;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling). */
  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n) || n > 2 ** 32) throw new RangeError(`Rng.int: bad bound ${n}`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** Standard normal by Box–Muller (one value per call; no cached spare, so the state stays four words). */
  normal(): number {
    let u = this.uniform();
    while (u <= Number.MIN_VALUE) u = this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A Float32Array of `n` uniforms in [lo, hi). */
  uniformArray(n: number, lo: number, hi: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /** A Float32Array of `n` normals with the given mean and standard deviation. */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
