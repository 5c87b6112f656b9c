// Parameter counts of whole models (cell + readout) against the numbers the papers and the research digest give.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { defaultsOf } from '../../../core/api/params.ts';
import { countParams, modelSpecs } from '../../../core/models/model.ts';
import { getCell } from '../../../core/models/registry.ts';

/** Parameters of `arch` with `units` hidden units on a last-step classification task. */
function params(arch: string, units: number, inputDim: number, classes: number): number {
  const cell = getCell(arch);
  const config = { ...defaultsOf(cell.config), units };
  return countParams(modelSpecs(cell, config, { inputDim, outputDim: classes, every: false }));
}

// [name, arch, units, input, classes, expected, source]
const CASES: readonly [string, string, number, number, number, number, string][] = [
  [
    'coRNN sMNIST, 256 units',
    'cornn',
    256,
    1,
    10,
    134_154,
    'models-and-tasks.md §5.2: m(d + 2m) + m + (m+1)·n_out',
  ],
  ['coRNN sMNIST, 128 units', 'cornn', 128, 1, 10, 34_314, 'models-and-tasks.md §5.2'],
  ['coRNN noise-padded CIFAR-10, 128 units', 'cornn', 128, 96, 10, 46_474, 'models-and-tasks.md §5.2'],
  // 4N(d + N + 2) + (N + 1)·10: the "68k params" of the LSTM row in models-and-tasks.md §4.5 (PyTorch's two biases).
  ['LSTM sMNIST, 128 units', 'lstm', 128, 1, 10, 68_362, 'models-and-tasks.md §4.5 (≈ 68k)'],
];

for (const [name, arch, units, input, classes, expected, source] of CASES) {
  it(`${name}: ${expected} parameters (${source})`, () => {
    assert.equal(params(arch, units, input, classes), expected);
  });
}
