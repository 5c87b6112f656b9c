// Copying memory (Hochreiter & Schmidhuber 1997; uRNN / scoRNN and expRNN layouts, models-and-tasks.md §7.1).
import type { Rng } from '../../engine/rng.ts';
import type { Batch, TaskSpec } from '../task.ts';
import { SYNTHETIC_DATA_PARAMS, syntheticData } from '../task.ts';

const BLANK = 0;
const MARKER = 9;
const SYMBOLS = 10;

/**
 * Alphabet 0 blank, 1..8 data, 9 delimiter; inputs one-hot (10), targets classes 0..8 at every step.
 * layout 'urnn': x = [s_1..s_10, 0×(T−1), 9, 0×10], y = [0×(T+10), s_1..s_10]  (uRNN, scoRNN)
 * layout 'exprnn': x = [s_1..s_10, 0×T, 9, 0×9],  y = [0×(T+10), s_1..s_10]     (expRNN: recall starts at the marker)
 * Both have length T + 20. Draw order per example: the ten symbols.
 */
export function copyingBatch(T: number, batch: number, layout: 'urnn' | 'exprnn', rng: Rng): Batch {
  const L = T + 20;
  const markerAt = layout === 'urnn' ? 10 + T - 1 : 10 + T;
  const x = new Float32Array(L * batch * SYMBOLS);
  const y = new Int32Array(L * batch);
  for (let b = 0; b < batch; b++) {
    const sym = Array.from({ length: 10 }, () => 1 + rng.int(8));
    for (let t = 0; t < L; t++) {
      const input = t < 10 ? sym[t]! : t === markerAt ? MARKER : BLANK;
      x[(t * batch + b) * SYMBOLS + input] = 1;
      y[t * batch + b] = t >= T + 10 ? sym[t - T - 10]! : BLANK;
    }
  }
  return { x, xShape: [L, batch, SYMBOLS], y, yShape: [L, batch] };
}

export const copying: TaskSpec = {
  name: 'copying',
  title: 'Copying memory',
  summary: 'Reproduce ten symbols after a delay of T blanks; mean cross-entropy over all T+20 steps.',
  paper:
    'Hochreiter & Schmidhuber 1997; construction of amarshah/complex_RNN memory_problem.py and lezcano/expRNN',
  config: {
    seqLen: {
      type: 'integer',
      default: 100,
      min: 1,
      max: 100000,
      description: 'delay T (sequence length T + 20)',
    },
    layout: {
      type: 'enum',
      default: 'urnn',
      choices: ['urnn', 'exprnn'],
      description: 'marker after T−1 blanks (uRNN, scoRNN) or after T blanks (expRNN)',
    },
    ...SYNTHETIC_DATA_PARAMS,
  },
  loss: 'ce',
  metric: 'ce',
  lowerIsBetter: true,
  shape: () => ({ inputDim: SYMBOLS, outputDim: 9, every: true }),
  baseline: (config) => (10 * Math.log(8)) / ((config['seqLen'] as number) + 20),
  data(config, seed) {
    const T = config['seqLen'] as number;
    const layout = config['layout'] as 'urnn' | 'exprnn';
    return syntheticData(config, seed, (batch, rng) => copyingBatch(T, batch, layout, rng));
  },
};
