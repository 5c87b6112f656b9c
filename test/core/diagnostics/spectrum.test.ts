// Spectra of recurrent matrices: known matrices exactly, each cell's matrix by its definition, the step's Jacobian.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '../../../core/engine/tf.ts';
import { selectBackend } from '../../../core/engine/backend.ts';
import { Rng } from '../../../core/engine/rng.ts';
import { defaultsOf, type Config } from '../../../core/api/params.ts';
import { recurrentMatrix, spectrumOf, spectrumOfWeights } from '../../../core/diagnostics/spectrum.ts';
import { initialWeights, modelSpecs } from '../../../core/models/model.ts';
import { CELLS, getCell } from '../../../core/models/registry.ts';
import { stepContext } from '../../../core/models/unroll.ts';
import { assertAllClose } from '../../helpers/all-close.ts';

const SHAPE = { inputDim: 2, outputDim: 1, every: false };

function weightsOf(arch: string, over: Config) {
  const cell = getCell(arch);
  const config = { ...defaultsOf(cell.config), ...over };
  return { cell, config, w: initialWeights(modelSpecs(cell, config, SHAPE), Rng.stream(2, 'init')) };
}

describe('spectra', () => {
  before(async () => {
    await selectBackend('cpu');
  });

  it('of known matrices: a rotation has e^{±iθ} and unit singular values; a diagonal its entries', () => {
    const th = 0.3;
    const rot = spectrumOf({
      what: 'R',
      n: 2,
      values: Float64Array.of(Math.cos(th), -Math.sin(th), Math.sin(th), Math.cos(th)),
    });
    assertAllClose(rot.re, [Math.cos(th), Math.cos(th)], { atol: 1e-12 });
    assertAllClose([...rot.im].sort(), [-Math.sin(th), Math.sin(th)], { atol: 1e-12 });
    assertAllClose(rot.singularValues, [1, 1], { atol: 1e-12 });
    const d = spectrumOf({ what: 'D', n: 3, values: Float64Array.of(0.5, 0, 0, 0, -2, 0, 0, 0, 1) });
    assert.deepEqual(d.re, [-2, 1, 0.5]);
    assert.equal(d.spectralRadius, 2);
    assertAllClose(d.singularValues, [2, 1, 0.5], { atol: 1e-12 });
  });

  it('of every registered cell: a square matrix; orthogonal and unitary cells on the unit circle', async () => {
    for (const cell of CELLS) {
      const over: Config = cell.name === 'unicornn' ? { units: 6, layers: 2 } : { units: 6 };
      const { config, w } = weightsOf(cell.name, over);
      const s = await spectrumOfWeights(cell, config, 2, w);
      assert.equal(s.re.length, s.n, cell.name);
      assert.equal(s.singularValues.length, s.n, cell.name);
      assert.ok(s.what.length > 0 && s.spectralRadius > 0, cell.name);
      if (
        ['exprnn', 'scornn', 'urnn', 'irnn'].includes(cell.name) ||
        (cell.name === 'vector-field' && config['divergenceFree'])
      )
        for (const v of s.singularValues) assert.ok(Math.abs(v - 1) < 1e-5, `${cell.name}: σ = ${v}`);
    }
  });

  it('of rnn-tanh is W_hh itself; of others the step’s Jacobian at 0, which central differences confirm (LSTM)', () => {
    const e = weightsOf('rnn-tanh', { units: 4 });
    const tensors = Object.fromEntries(
      Object.entries(e.w).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]),
    );
    assertAllClose(
      Array.from(recurrentMatrix(e.cell, tensors, e.config, 2).values),
      e.w['weight_hh']!.values,
      { rtol: 0, atol: 0 },
    );
    tf.dispose(Object.values(tensors));

    const l = weightsOf('lstm', { units: 3 });
    const lt = Object.fromEntries(Object.entries(l.w).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
    const J = recurrentMatrix(l.cell, lt, l.config, 2);
    assert.equal(J.n, 6);
    // Column j of J: (step(δ e_j) − step(−δ e_j)) / 2δ, state [h | c], x = 0.
    const delta = 1e-2;
    const fd = tf.tidy(() => {
      const cols: number[][] = [];
      for (let j = 0; j < 6; j++) {
        const at = (sign: number) => {
          const s = new Float32Array(6);
          s[j] = sign * delta;
          const out = l.cell.step(
            tf.zeros([1, 2]),
            [tf.tensor2d(s.slice(0, 3), [1, 3]), tf.tensor2d(s.slice(3), [1, 3])],
            lt,
            l.config,
            stepContext(false, null),
          );
          return Array.from(tf.concat(out, 1).dataSync());
        };
        const plus = at(1);
        const minus = at(-1);
        cols.push(plus.map((p, i) => (p - minus[i]!) / (2 * delta)));
      }
      return Array.from({ length: 36 }, (_, k) => cols[k % 6]![Math.floor(k / 6)]!);
    });
    assertAllClose(Array.from(J.values), fd, { rtol: 1e-3, atol: 1e-4, label: 'LSTM Jacobian' });
    tf.dispose(Object.values(lt));
  });
});
