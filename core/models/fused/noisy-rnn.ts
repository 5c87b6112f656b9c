// Fused Noisy RNN kernel (cells/noisy-rnn.ts): the Lipschitz drift with a learned step d and noise while training.
import type { FusedKernel } from './kernel.ts';
import { driftKernel } from './lipschitz.ts';

/** h_{k+1} = h_k + (d ⊙ f_k) ⊙ m_k + σ_add ξ_k (training), h_k + d ⊙ f_k (evaluation); see driftKernel. */
export const noisyRnnKernel: FusedKernel = driftKernel('noisy-rnn', true);
