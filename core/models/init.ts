// Initialisers in the distributions of the official code (values come from our seeded RNG, not theirs).
import type { Rng } from '../engine/rng.ts';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** PyTorch nn.Linear / nn.LSTM default: U(-1/√fanIn, 1/√fanIn) for weights and biases. */
export function torchDefault(shape: readonly number[], fanIn: number): (rng: Rng) => Float32Array {
  const k = 1 / Math.sqrt(fanIn);
  return (rng) => rng.uniformArray(size(shape), -k, k);
}

/** U(lo, hi) entrywise. */
export function uniform(shape: readonly number[], lo: number, hi: number): (rng: Rng) => Float32Array {
  return (rng) => rng.uniformArray(size(shape), lo, hi);
}

/** N(mean, std²) entrywise. */
export function normal(shape: readonly number[], std: number, mean = 0): (rng: Rng) => Float32Array {
  return (rng) => rng.normalArray(size(shape), mean, std);
}

/** All zeros (draws nothing). */
export function zeros(shape: readonly number[]): (rng: Rng) => Float32Array {
  return () => new Float32Array(size(shape));
}

/** Identity matrix (IRNN), or `scale`·I. */
export function identity(n: number, scale = 1): (rng: Rng) => Float32Array {
  return () => {
    const out = new Float32Array(n * n);
    for (let i = 0; i < n; i++) out[i * n + i] = scale;
    return out;
  };
}

/** Glorot / Xavier uniform: U(±√(6/(fanIn + fanOut))). */
export function glorotUniform(
  shape: readonly number[],
  fanIn: number,
  fanOut: number,
): (rng: Rng) => Float32Array {
  const k = Math.sqrt(6 / (fanIn + fanOut));
  return (rng) => rng.uniformArray(size(shape), -k, k);
}
