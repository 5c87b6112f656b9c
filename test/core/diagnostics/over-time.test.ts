// ‖∂L/∂h_t‖ and ‖h_t‖ over time: against closed forms (a linear coRNN, the last step's gradient), without leaks.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '../../../core/engine/tf.ts';
import { selectBackend } from '../../../core/engine/backend.ts';
import { Rng } from '../../../core/engine/rng.ts';
import { defaultsOf, type Config } from '../../../core/api/params.ts';
import { gradientOverTime, gradRatio } from '../../../core/diagnostics/over-time.ts';
import { Model, initialWeights, modelSpecs } from '../../../core/models/model.ts';
import { getCell } from '../../../core/models/registry.ts';
import { stepContext, unroll } from '../../../core/models/unroll.ts';
import { assertAllClose } from '../../helpers/all-close.ts';

const mse = (p: tf.Tensor, y: tf.Tensor) => tf.mean<tf.Scalar>(tf.squaredDifference(p, y));
const SHAPE = { inputDim: 2, outputDim: 1, every: false };

function model(
  arch: string,
  over: Config,
  edit?: (w: Record<string, { shape: number[]; values: Float32Array }>) => void,
): Model {
  const cell = getCell(arch);
  const config = { ...defaultsOf(cell.config), ...over };
  const w = initialWeights(modelSpecs(cell, config, SHAPE), Rng.stream(4, 'init'));
  edit?.(w);
  return new Model(cell, config, SHAPE, w);
}

function batch(T: number, B: number): { x: tf.Tensor3D; y: tf.Tensor2D } {
  const rng = Rng.stream(9, 'probe');
  return {
    x: tf.tensor3d(rng.uniformArray(T * B * 2, 0, 1), [T, B, 2]),
    y: tf.tensor2d(rng.uniformArray(B, 0, 2), [B, 1]),
  };
}

describe('gradient over time', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('follows the closed form of a linear coRNN: ‖∂L/∂s_t‖/‖∂L/∂s_T‖ = |(Mᵀ)^{T−t} e_y|', () => {
    // With the oscillators' input weights zero, tanh(pre) = tanh(b) is constant and each unit's (y, z) evolves by
    // the same 2 × 2 matrix M; L reads y_T only, so ∂L/∂s_t is (Mᵀ)^{T−t} applied to (∂L/∂y_T, 0) per unit.
    const dt = 0.06;
    const gamma = 66;
    const eps = 15;
    const m = model('cornn', { units: 4, dt, gamma, epsilon: eps }, (w) => w['i2h.weight']!.values.fill(0));
    const T = 20;
    const { x, y } = batch(T, 3);
    const before = tf.memory().numTensors;
    const o = gradientOverTime(m, x, y, mse);
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
    const M = [
      [1 - dt * dt * gamma, dt * (1 - dt * eps)],
      [-dt * gamma, 1 - dt * eps],
    ];
    const expected: number[] = [];
    let v = [1, 0];
    for (let t = T; t >= 1; t--) {
      expected[t - 1] = Math.hypot(v[0]!, v[1]!);
      v = [M[0]![0]! * v[0]! + M[1]![0]! * v[1]!, M[0]![1]! * v[0]! + M[1]![1]! * v[1]!]; // Mᵀ v
    }
    const last = o.gradNorms[T - 1]!;
    assertAllClose(
      Array.from(o.gradNorms, (g) => g / last),
      expected,
      { rtol: 1e-4, atol: 0, label: 'ratio over t' },
    );
    assert.ok(Math.abs(gradRatio(o) - expected[0]!) <= 1e-4 * expected[0]!);
    tf.dispose([x, y]);
    m.dispose();
  });

  it('at the last step equals ∂L/∂h_T by hand, and ‖h_t‖ is the norm of the unrolled states (tanh RNN)', () => {
    const m = model('rnn-tanh', { units: 6 });
    const T = 7;
    const B = 5;
    const { x, y } = batch(T, B);
    const o = gradientOverTime(m, x, y, mse);
    const [byHand, norms] = tf.tidy(() => {
      const { features } = unroll(m.cell, m.variables, m.config, x, stepContext(false, null), true);
      const hT = tf.slice(features, [T - 1, 0, 0], [1, B, 6]).reshape([B, 6]);
      const pred = tf.add(
        tf.matMul(hT, m.variables['readout.weight']!, false, true),
        m.variables['readout.bias']!,
      );
      // L = mean((pred − y)²) over B: ∂L/∂h_T = (2/B)(pred − y) W.
      const g = tf.matMul(tf.mul(2 / B, tf.sub(pred, y)), m.variables['readout.weight']!);
      return [
        tf.norm(g).dataSync()[0]!,
        Array.from(tf.mean(tf.norm(features, 'euclidean', 2), 1).dataSync()),
      ];
    });
    assert.ok(Math.abs(o.gradNorms[T - 1]! - byHand) <= 1e-5 * byHand, `${o.gradNorms[T - 1]} vs ${byHand}`);
    assertAllClose(Array.from(o.stateNorms), norms, { rtol: 1e-5, label: 'state norms' });
    // A tanh RNN's gradient does not grow backwards here (its W_hh is contracting at this init).
    assert.ok(o.gradNorms[0]! < o.gradNorms[T - 1]!);
    tf.dispose([x, y]);
    m.dispose();
  });

  it('handles states the loss does not read (an LSTM’s last c) and stays deterministic with noise cells', () => {
    for (const arch of ['lstm', 'noisy-rnn', 'unicornn']) {
      const m = model(arch, arch === 'unicornn' ? { units: 4, layers: 2 } : { units: 4 });
      const { x, y } = batch(6, 2);
      const a = gradientOverTime(m, x, y, mse);
      const b = gradientOverTime(m, x, y, mse);
      assert.deepEqual(a.gradNorms, b.gradNorms, arch);
      assert.ok(
        a.gradNorms.every((g) => Number.isFinite(g) && g > 0),
        arch,
      );
      tf.dispose([x, y]);
      m.dispose();
    }
  });
});
