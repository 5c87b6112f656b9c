// coRNN: golden test against the official implementation, and bounded hidden states over long inputs.
import assert from 'node:assert/strict';
import { defaultsOf, type Config } from '../../../../core/api/params.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import * as tf from '../../../../core/engine/tf.ts';
import { cornn } from '../../../../core/models/cells/cornn.ts';
import { Model } from '../../../../core/models/model.ts';
import { stepContext, unroll } from '../../../../core/models/unroll.ts';
import { describeOnBackends } from '../../../helpers/backends.ts';
import { goldenSuite } from './golden.ts';

goldenSuite('cornn');

/**
 * Σ_k |g_k| for the y-component of the discrete impulse response of z ← z + Δt(u − γy − εz), y ← y + Δt z.
 * The cell's forcing u = tanh(·) lies in [−1, 1] whatever the weights, so |y_n| ≤ Σ|g_k| at every step: a bound
 * independent of the sequence length (the paper's point: no exploding states), computed in float64.
 */
function forcedBound(dt: number, gamma: number, eps: number): { y: number; z: number } {
  let y = 0;
  let z = 0;
  let sumY = 0;
  let sumZ = 0;
  for (let k = 0; k < 200000; k++) {
    z = z + dt * ((k === 0 ? 1 : 0) - gamma * y - eps * z);
    y = y + dt * z;
    sumY += Math.abs(y);
    sumZ += Math.abs(z);
  }
  return { y: sumY, z: sumZ };
}

describeOnBackends('cornn hidden states', (test) => {
  test('stay within the T-independent forced-oscillator bound over 2000 steps', () => {
    const config: Config = { ...defaultsOf(cornn.config), units: 16 };
    const model = new Model(
      cornn,
      config,
      { inputDim: 1, outputDim: 1, every: false },
      Rng.stream(1, 'init'),
    );
    const T = 2000;
    const xs = Rng.stream(1, 'long inputs').normalArray(T * 4, 0, 3);
    const maxAbs = (upTo: number) =>
      tf.tidy(() => {
        const x = tf.tensor3d(xs.subarray(0, upTo * 4), [upTo, 4, 1]);
        const { features, state } = unroll(cornn, model.variables, config, x, stepContext(false, null), true);
        return [tf.max(tf.abs(features)).dataSync()[0]!, tf.max(tf.abs(state[1]!)).dataSync()[0]!];
      });
    const [y2000, zLast] = maxAbs(T);
    const bound = forcedBound(config['dt'] as number, config['gamma'] as number, config['epsilon'] as number);
    assert.ok(y2000! <= bound.y, `max |y| ${y2000} above the bound ${bound.y}`);
    assert.ok(zLast! <= bound.z, `|z_T| ${zLast} above the bound ${bound.z}`);
    model.dispose();
  });
});
