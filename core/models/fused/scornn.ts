// Fused scoRNN kernel (cells/scornn.ts): modReLU(x U + h W) with W = (I + A)⁻¹(I − A)D derived by prepare.
import type { FusedKernel } from './kernel.ts';
import { modReluKernel } from './exprnn.ts';

/** scoRNN: U is [d, N] (row-vector layout x U), W = derived.W multiplies h from the right; see modReluKernel. */
export const scornnKernel: FusedKernel = modReluKernel({
  cell: 'scornn',
  W: 'derived.W',
  transW: false,
  U: 'U',
  uOutIn: false,
  b: 'b',
});
