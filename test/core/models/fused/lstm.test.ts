// LSTM fused kernel: outputs and every gradient equal the generic TF.js path; time-chunk checkpointing is exact.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { defaultsOf, type Config } from '../../../../core/api/params.ts';
import { selectBackend } from '../../../../core/engine/backend.ts';
import { referenceGemm } from '../../../../core/engine/kernels/gemm.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import { lstm } from '../../../../core/models/cells/lstm.ts';
import { lstmKernel } from '../../../../core/models/fused/lstm.ts';
import { assertAllClose } from '../../../helpers/all-close.ts';
import { checkFusedKernel, itEqualsOnBothEngines, randomWeights } from '../../../helpers/fused-check.ts';

describe('LSTM fused kernel', () => {
  before(() => selectBackend('cpu'));
  itEqualsOnBothEngines(lstmKernel, lstm);

  it('equals the generic path at random sizes, forget biases and input scales', () => {
    const rng = Rng.stream(8, 'lstm configs');
    for (let k = 0; k < 3; k++) {
      const config: Config = { units: 3 + rng.int(20), forgetBias: rng.range(-2, 2) };
      const shape = { T: 2 + rng.int(9), B: 1 + rng.int(6), D: 1 + rng.int(4), every: rng.int(2) === 1 };
      checkFusedKernel(lstmKernel, lstm, config, shape, { seed: k, inputStd: rng.range(0.5, 3) });
    }
  });

  it('with checkpointing over time chunks equals the generic path, bit for bit the unchunked forward', () => {
    const config: Config = { ...defaultsOf(lstm.config), units: 13 };
    for (const chunk of [1, 3, 4, 7])
      for (const every of [false, true])
        checkFusedKernel(lstmKernel, lstm, config, { T: 10, B: 5, D: 3, every, chunk }, { seed: chunk });
    const run = (chunk: number) => {
      const rng = Rng.stream(3, 'chunk bits');
      const w = Object.fromEntries(
        Object.entries(randomWeights(lstm, 3, config, rng)).map(([n, v]) => [n, v.values]),
      );
      const shape = { T: 10, B: 5, D: 3, every: true, chunk };
      const x = rng.normalArray(10 * 5 * 3);
      const { features, tape } = lstmKernel.forward(referenceGemm(), shape, x, w, config, null, true);
      const { dx, dw } = lstmKernel.backward(tape, rng.normalArray(features.length));
      return {
        features: Float32Array.from(features),
        dx: Float32Array.from(dx),
        dWhh: Float32Array.from(dw['weight_hh']!),
      };
    };
    const whole = run(0);
    for (const chunk of [1, 3, 4]) {
      const r = run(chunk);
      assert.deepEqual(r.features, whole.features, `chunk ${chunk} features`);
      assert.deepEqual(r.dx, whole.dx, `chunk ${chunk} dx`);
      assertAllClose(r.dWhh, whole.dWhh, { rtol: 1e-6, atol: 1e-7, label: `chunk ${chunk} dW_hh` });
    }
  });
});
