// Gated AntisymmetricRNN (Chang et al., ICLR 2019, eq. 11): the update is scaled by a gate sharing K = W_h − W_hᵀ − γI.
import type { CellSpec } from '../cell.ts';
import { antisymmetricCell } from './antisymmetric.ts';

/**
 * z_t = σ(K h_{t−1} + V_z x_t + b_z);  h_t = h_{t−1} + ε z_t ⊙ tanh(K h_{t−1} + V_h x_t + b_h),  K = W_h − W_hᵀ − γI.
 * A cell of its own (not a `gated` flag) because it has more weights (V_z, b_z) and the conformance suite checks
 * each registered cell at its defaults. Equations, initialisation and sources: antisymmetric.ts.
 */
export const antisymmetricGated: CellSpec = antisymmetricCell(true);
