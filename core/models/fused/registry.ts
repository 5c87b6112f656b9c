// The fused kernels by cell name: a cell listed here trains through its kernel on CPU-side backends (fused.ts).
import type { FusedKernel } from './kernel.ts';
import { cornnKernel } from './cornn.ts';
import { lstmKernel } from './lstm.ts';
import { antisymmetricGatedKernel, antisymmetricKernel } from './antisymmetric.ts';
import { irnnKernel, rnnTanhKernel } from './elman.ts';
import { exprnnKernel } from './exprnn.ts';
import { gruKernel } from './gru.ts';
import { lipschitzKernel } from './lipschitz.ts';
import { noisyRnnKernel } from './noisy-rnn.ts';
import { scornnKernel } from './scornn.ts';
import { unicornnKernel } from './unicornn.ts';
import { urnnKernel } from './urnn.ts';
import { vectorFieldKernel } from './vector-field.ts';

/** Every fused kernel, one line each (a kernel must equal the generic path: test/core/models/fused/*.test.ts). */
export const FUSED_KERNELS: readonly FusedKernel[] = [
  cornnKernel,
  lstmKernel,
  gruKernel,
  rnnTanhKernel,
  irnnKernel,
  lipschitzKernel,
  noisyRnnKernel,
  unicornnKernel,
  exprnnKernel,
  scornnKernel,
  antisymmetricKernel,
  antisymmetricGatedKernel,
  vectorFieldKernel,
  urnnKernel,
];

const byCell = new Map(FUSED_KERNELS.map((k) => [k.cell, k]));

/** The fused kernel of cell `cellName`, or null when it has none (it then trains on the generic path). */
export function fusedKernelFor(cellName: string): FusedKernel | null {
  return byCell.get(cellName) ?? null;
}
