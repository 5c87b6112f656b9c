// coRNN fused kernel: outputs and every gradient equal the generic TF.js path; time-chunk checkpointing is exact.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { defaultsOf, type Config } from '../../../../core/api/params.ts';
import { selectBackend } from '../../../../core/engine/backend.ts';
import { referenceGemm } from '../../../../core/engine/kernels/gemm.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import { cornn } from '../../../../core/models/cells/cornn.ts';
import { cornnKernel } from '../../../../core/models/fused/cornn.ts';
import { assertAllClose } from '../../../helpers/all-close.ts';
import { checkFusedKernel, itEqualsOnBothEngines, randomWeights } from '../../../helpers/fused-check.ts';

describe('coRNN fused kernel', () => {
  before(() => selectBackend('cpu'));
  itEqualsOnBothEngines(cornnKernel, cornn);

  it('equals the generic path at random hyper-parameters', () => {
    const rng = Rng.stream(7, 'cornn configs');
    for (let k = 0; k < 3; k++) {
      const config: Config = {
        units: 3 + rng.int(20),
        dt: rng.range(0.01, 0.5),
        gamma: rng.range(0, 10),
        epsilon: rng.range(0, 10),
      };
      const shape = { T: 1 + rng.int(9), B: 1 + rng.int(6), D: 1 + rng.int(4), every: rng.int(2) === 1 };
      checkFusedKernel(cornnKernel, cornn, config, shape, { seed: k });
    }
  });

  it('with checkpointing over time chunks equals the generic path, bit for bit the unchunked kernel', () => {
    const config: Config = { ...defaultsOf(cornn.config), units: 13, dt: 0.2, gamma: 3, epsilon: 2 };
    for (const chunk of [1, 3, 4, 7]) {
      for (const every of [false, true]) {
        const shape = { T: 10, B: 5, D: 3, every, chunk };
        checkFusedKernel(cornnKernel, cornn, config, shape, { seed: chunk });
      }
    }
    const run = (chunk: number) => {
      const gemm = referenceGemm();
      const rng = Rng.stream(3, 'chunk bits');
      const w = Object.fromEntries(
        Object.entries(randomWeights(cornn, 3, config, rng)).map(([n, v]) => [n, v.values]),
      );
      const shape = { T: 10, B: 5, D: 3, every: true, chunk };
      const x = rng.normalArray(10 * 5 * 3);
      const { features, tape } = cornnKernel.forward(gemm, shape, x, w, config, null, true);
      const { dx, dw } = cornnKernel.backward(tape, rng.normalArray(features.length));
      return [features, dx, dw['i2h.weight']!, dw['i2h.bias']!].map((a) => Float32Array.from(a));
    };
    const whole = run(0);
    for (const chunk of [1, 3, 4]) {
      const [features, dx, dW, db] = run(chunk);
      // The recomputed forward is the same arithmetic; the weight gradients are summed chunk by chunk instead.
      assert.deepEqual(features, whole[0], `chunk ${chunk} features`);
      assert.deepEqual(dx, whole[1], `chunk ${chunk} dx`);
      assertAllClose(dW!, whole[2]!, { rtol: 1e-6, atol: 1e-7, label: `chunk ${chunk} dW` });
      assertAllClose(db!, whole[3]!, { rtol: 1e-6, atol: 1e-7, label: `chunk ${chunk} db` });
    }
  });
});
