// The adding problem (Hochreiter & Schmidhuber 1997; uRNN / coRNN construction, models-and-tasks.md §7.2).
import type { Rng } from '../../engine/rng.ts';
import type { Batch, TaskSpec } from '../task.ts';
import { SYNTHETIC_DATA_PARAMS, syntheticData } from '../task.ts';

/**
 * x_t = (v_t, m_t): v_t ~ U[0,1]; m_t is 0 except two ones, i ~ U{0..s−1}, j ~ U{s..T−1}; target Σ v_t m_t.
 * s = ⌊T/2⌋ (uRNN, coRNN: layout 'standard') or ⌊(T−1)/2⌋ (scoRNN: layout 'scornn').
 * Draw order per example: T values, then i, then j.
 */
export function addingBatch(T: number, batch: number, split: number, rng: Rng): Batch {
  const x = new Float32Array(T * batch * 2);
  const y = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < T; t++) x[(t * batch + b) * 2] = rng.uniform();
    const i = rng.int(split);
    const j = split + rng.int(T - split);
    x[(i * batch + b) * 2 + 1] = 1;
    x[(j * batch + b) * 2 + 1] = 1;
    y[b] = x[(i * batch + b) * 2]! + x[(j * batch + b) * 2]!;
  }
  return { x, xShape: [T, batch, 2], y, yShape: [batch, 1] };
}

export const adding: TaskSpec = {
  name: 'adding',
  title: 'Adding problem',
  summary: 'Sum the two marked values of a long random sequence; MSE against the 1/6 of predicting 1.',
  paper:
    'Hochreiter & Schmidhuber 1997; construction of amarshah/complex_RNN adding_problem.py and tk-rusch/coRNN',
  config: {
    seqLen: { type: 'integer', default: 100, min: 2, max: 100000, description: 'sequence length T' },
    layout: {
      type: 'enum',
      default: 'standard',
      choices: ['standard', 'scornn'],
      description: 'marker split at ⌊T/2⌋ (uRNN, coRNN) or ⌊(T−1)/2⌋ (scoRNN)',
    },
    ...SYNTHETIC_DATA_PARAMS,
  },
  loss: 'mse',
  metric: 'mse',
  lowerIsBetter: true,
  shape: () => ({ inputDim: 2, outputDim: 1, every: false }),
  baseline: () => 1 / 6,
  data(config, seed) {
    const T = config['seqLen'] as number;
    const split = config['layout'] === 'scornn' ? Math.floor((T - 1) / 2) : Math.floor(T / 2);
    if (split < 1) throw new Error(`adding: seqLen ${T} leaves no room for the first marker`);
    return syntheticData(config, seed, (batch, rng) => addingBatch(T, batch, split, rng));
  },
};
