// AntisymmetricRNN: golden numbers of the paper's equations (antisymmetric.json) and the paper's parameter counts.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { defaultsOf } from '../../../../core/api/params.ts';
import { effectiveParamCount } from '../../../../core/models/cell.ts';
import { modelSpecs } from '../../../../core/models/model.ts';
import { getCell } from '../../../../core/models/registry.ts';
import { goldenSuite } from './golden.ts';

goldenSuite('antisymmetric');

// [cell, units, input, classes, thousands in the paper's Tables 1–2 (models-and-tasks.md §6.6)]
const PAPER_COUNTS: readonly [string, number, number, number, number][] = [
  ['antisymmetric', 128, 1, 10, 10],
  ['antisymmetric-gated', 128, 1, 10, 10],
  ['antisymmetric', 256, 3, 10, 36],
  ['antisymmetric-gated', 256, 3, 10, 37],
];

for (const [name, units, inputDim, classes, thousands] of PAPER_COUNTS)
  it(`${name}, N = ${units}, d = ${inputDim}: ≈ ${thousands}k parameters as the paper counts them`, () => {
    const cell = getCell(name);
    const config = { ...defaultsOf(cell.config), units };
    const count = effectiveParamCount(
      modelSpecs(cell, config, { inputDim, outputDim: classes, every: false }),
    );
    // The paper counts W_h's N(N−1)/2 free entries (its skew part), V, b and the readout.
    assert.equal(Math.round(count / 1000), thousands, `${count} parameters`);
  });
