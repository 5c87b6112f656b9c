// Fused vector-field RNN kernel (cells/vector-field.ts): modReLU(x Uᵀ + h Wᵀ) with W = exp(Δt·D) derived by prepare.
import type { FusedKernel } from './kernel.ts';
import { modReluKernel } from './exprnn.ts';

/** The column convention of the cell (next pre-activation W h): rows h take h Wᵀ; see modReluKernel. */
export const vectorFieldKernel: FusedKernel = modReluKernel({
  cell: 'vector-field',
  W: 'derived.W',
  transW: true,
  U: 'input_kernel.weight',
  uOutIn: true,
  b: 'nonlinearity.b',
});
