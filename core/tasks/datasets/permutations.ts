// The exact pixel permutations of the psMNIST papers: PyTorch's CPU randperm and NumPy's legacy RandomState.permutation.
import { Mt19937, numpyPermutation } from '../../engine/mt19937.ts';

/**
 * `torch.manual_seed(seed); torch.randperm(n)` on the CPU (ATen `randperm_cpu`, unchanged from PyTorch 1.x to
 * 2.x for n < 2³²/20): start from the identity and, for i = 0 … n−2, swap r[i] with r[i + z], where
 * z = mt19937() mod (n − i). Used by coRNN and LipschitzRNN (seed 12008) and UnICORNN (seed 5544).
 */
export function torchRandperm(n: number, seed: number): Int32Array {
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32 / 20) throw new RangeError(`torchRandperm: bad n ${n}`);
  const gen = new Mt19937(seed);
  const r = new Int32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = gen.nextU32() % (n - i);
    const t = r[i]!;
    r[i] = r[i + z]!;
    r[i + z] = t;
  }
  return r;
}

/** The permutation sources a psMNIST run may choose, each with the paper code it reproduces. */
export const PERMUTATIONS = {
  'cornn-12008': {
    make: () => torchRandperm(784, 12008),
    doc: 'torch.manual_seed(12008); torch.randperm(784) (coRNN, LipschitzRNN, NoisyRNN)',
  },
  'unicornn-5544': {
    make: () => torchRandperm(784, 5544),
    doc: 'torch.manual_seed(5544); torch.randperm(784) (UnICORNN)',
  },
  'exprnn-92916': {
    make: () => numpyPermutation(784, 92916),
    doc: 'np.random.RandomState(92916).permutation(784) (expRNN)',
  },
} as const;

export type PermutationName = keyof typeof PERMUTATIONS;
export const PERMUTATION_NAMES = Object.keys(PERMUTATIONS) as PermutationName[];
