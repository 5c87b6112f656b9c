// Conformance suite: every registered cell, on every backend that starts here, meets the CellSpec contract.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../../core/engine/tf.ts';
import { defaultsOf, paramProblem } from '../../../core/api/params.ts';
import type { Config } from '../../../core/api/params.ts';
import { Rng } from '../../../core/engine/rng.ts';
import type { CellSpec } from '../../../core/models/cell.ts';
import { Model } from '../../../core/models/model.ts';
import type { ModelShape } from '../../../core/models/model.ts';
import { CELLS } from '../../../core/models/registry.ts';
import { stepContext, unroll } from '../../../core/models/unroll.ts';
import { TRAIN_SCHEMA } from '../../../core/training/config.ts';
import { describeOnBackends } from '../../helpers/backends.ts';

/** Small, unequal sizes: a transposed or mis-split tensor changes a shape instead of passing by accident. */
const T = 6;
const B = 3;
const INPUT = 3;
const UNITS = 4;
const OUTPUT = 2;

const configOf = (cell: CellSpec): Config => ({ ...defaultsOf(cell.config), units: UNITS });
const shapeOf = (every: boolean): ModelShape => ({ inputDim: INPUT, outputDim: OUTPUT, every });
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Seeded inputs [T, B, INPUT] as plain values (tensors are made per test, so leak counts stay exact). */
const X_VALUES = Rng.stream(1, 'conformance inputs').normalArray(T * B * INPUT);
/** Seeded loss weights C for L = Σ output·C over every step's output [T, B, OUTPUT]. */
const C_VALUES = Rng.stream(1, 'conformance loss weights').normalArray(T * B * OUTPUT);

/**
 * Central differences in float32: |fd − g| ≤ FD_RTOL·|g| + FD_ATOL·max(1, max|g| of that weight). Why these:
 * the truncation error is h²/6·|∂³L|, ~2e-5·|∂³L| at h = 1e-2 (smaller h trades it for rounding); the rounding
 * error is δ/h, where δ, the float32 error of L from one forward pass (a few ulp per output, summed in float64
 * here), is ~1e-7–1e-6 for these sizes, so δ/h ≲ 1e-4 — hence FD_ATOL, scaled up for weights whose gradients
 * are large. FD_RTOL covers the truncation with room: with these values the worst coordinate of the cells
 * registered so far (lstm, on wasm) uses ~25% of its tolerance, while a wrong gradient is typically off by a
 * factor, not by 0.2%. A cell that fails here only by a little should first be checked with a smaller FD_STEP.
 */
const FD_STEP = 1e-2;
const FD_RTOL = 2e-3;
const FD_ATOL = 1e-4;
/**
 * Cells with piecewise-linear activations (ReLU, modReLU) whose official initialisation puts pre-activations
 * within 1e-2 of a kink: a difference quotient across the kink mixes two slopes (irnn's bias_ih[2]: −2.055 at
 * h = 1e-2 against autodiff −1.8129, and −1.8129 at h = 1e-3). They are checked with a smaller step, so fewer
 * coordinates fall on a kink, and the rounding part of the tolerance (δ/h) grows by the same factor.
 */
const FD_STEP_OF: Readonly<Record<string, number>> = { irnn: 1e-3, scornn: 1e-3 };

const xsTensor = () => tf.tensor3d(X_VALUES, [T, B, INPUT]);

/** L = Σ forward(xs)·C, in inference mode (deterministic, no RNG needed). */
function lossOf(model: Model, xs: tf.Tensor3D, C: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(model.forward(xs, false, null), C));
}

/** Every weight's gradient of L, by spec name, as plain arrays. */
function gradients(model: Model): Record<string, Float32Array> {
  return tf.tidy(() => {
    const xs = xsTensor();
    const C = tf.tensor3d(C_VALUES, [T, B, OUTPUT]);
    const { grads } = tf.variableGrads(() => lossOf(model, xs, C), Object.values(model.variables));
    const out: Record<string, Float32Array> = {};
    for (const spec of model.specs)
      out[spec.name] = grads[model.variables[spec.name]!.name]!.dataSync() as Float32Array;
    return out;
  });
}

/**
 * L evaluated for finite differences: the forward pass runs in float32 on the backend, but the final
 * reduction Σ out·C is done here in float64, so the sum's own rounding does not enter the difference quotient.
 */
function lossValue(model: Model): number {
  const out = tf.tidy(() => model.forward(xsTensor(), false, null).dataSync());
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i]! * C_VALUES[i]!;
  return s;
}

function setCoordinate(model: Model, name: string, k: number, value: number): void {
  const v = model.variables[name]!;
  const values = v.dataSync().slice() as Float32Array;
  values[k] = value;
  const t = tf.tensor(values, v.shape, 'float32');
  v.assign(t);
  t.dispose();
}

describe('cell specs (backend-independent)', () => {
  it('names are unique, stable-looking identifiers', () => {
    const names = CELLS.map((c) => c.name);
    assert.equal(new Set(names).size, names.length, `duplicate cell names in ${names.join(', ')}`);
    for (const n of names)
      assert.match(n, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, `cell name '${n}' is not kebab-case`);
  });

  for (const cell of CELLS) {
    describe(cell.name, () => {
      it('documents itself', () => {
        for (const [key, text] of Object.entries({
          title: cell.title,
          summary: cell.summary,
          paper: cell.paper,
        }))
          assert.ok(text.trim().length > 0, `${cell.name}.${key} is empty`);
      });

      it('config: integer units, every key described, defaults inside their ranges', () => {
        assert.equal(cell.config['units']?.type, 'integer', `${cell.name} has no integer 'units'`);
        for (const [key, spec] of Object.entries(cell.config)) {
          assert.ok(spec.description.trim().length > 0, `${cell.name}.${key} has no description`);
          assert.equal(
            paramProblem(spec, spec.default),
            null,
            `${cell.name}.${key}: default ${String(spec.default)}`,
          );
          if (
            (spec.type === 'number' || spec.type === 'integer') &&
            spec.min !== undefined &&
            spec.max !== undefined
          )
            assert.ok(spec.min < spec.max, `${cell.name}.${key}: empty range`);
        }
      });

      it('trainDefaults are valid training hyper-parameters', () => {
        assert.ok(cell.trainDefaults, `${cell.name} has no trainDefaults`);
        const schema: Readonly<Record<string, (typeof TRAIN_SCHEMA)[keyof typeof TRAIN_SCHEMA]>> =
          TRAIN_SCHEMA;
        for (const [key, value] of Object.entries(cell.trainDefaults)) {
          const spec = schema[key];
          assert.ok(spec, `${cell.name}.trainDefaults.${key} is not a training hyper-parameter`);
          assert.equal(
            paramProblem(spec, value),
            null,
            `${cell.name}.trainDefaults.${key} = ${String(value)}`,
          );
        }
      });

      it('weight specs: unique documented names, positive shapes, initialisers that fill them', () => {
        for (const inputDim of [1, INPUT]) {
          const specs = cell.weights(inputDim, configOf(cell));
          assert.ok(specs.length > 0, 'no weights');
          assert.equal(new Set(specs.map((s) => s.name)).size, specs.length, 'duplicate weight names');
          const rng = Rng.stream(2, 'spec check');
          for (const s of specs) {
            assert.ok(s.doc.trim().length > 0, `${s.name} has no doc`);
            assert.ok(!s.name.startsWith('readout.'), `${s.name}: 'readout.' is the model's prefix`);
            assert.ok(
              s.shape.length > 0 && s.shape.every((n) => Number.isInteger(n) && n > 0),
              `${s.name} shape`,
            );
            assert.ok(
              s.group === undefined || s.group === 'default' || s.group === 'orthogonal',
              `${s.name} group`,
            );
            const values = s.init(rng);
            assert.ok(values instanceof Float32Array, `${s.name} init is not a Float32Array`);
            assert.equal(
              values.length,
              size(s.shape),
              `${s.name}: init length vs shape [${s.shape.join(', ')}]`,
            );
            assert.ok(values.every(Number.isFinite), `${s.name}: non-finite initial value`);
          }
        }
        const f = cell.featureSize(configOf(cell));
        assert.ok(Number.isInteger(f) && f > 0, `featureSize ${f}`);
      });
    });
  }
});

describeOnBackends('cells', (test) => {
  for (const cell of CELLS) {
    describe(cell.name, () => {
      const config = configOf(cell);

      test('state, features and model outputs have the documented shapes', () => {
        tf.tidy(() => {
          const model = new Model(cell, config, shapeOf(false), Rng.stream(3, 'init'));
          const { features, state } = unroll(
            cell,
            model.variables,
            config,
            xsTensor(),
            stepContext(false, null),
            false,
          );
          assert.deepEqual(features.shape, [B, cell.featureSize(config)]);
          assert.ok(state.length > 0);
          for (const s of state) assert.equal(s.shape[0], B);
          const every = unroll(cell, model.variables, config, xsTensor(), stepContext(false, null), true);
          assert.deepEqual(every.features.shape, [T, B, cell.featureSize(config)]);
          assert.deepEqual(model.forward(xsTensor(), false, null).shape, [B, OUTPUT]);
          const modelEvery = new Model(cell, config, shapeOf(true), Rng.stream(3, 'init'));
          assert.deepEqual(modelEvery.forward(xsTensor(), false, null).shape, [T, B, OUTPUT]);
          model.dispose();
          modelEvery.dispose();
        });
      });

      test('seeded: the same seed gives identical weights and outputs, another seed different ones', () => {
        const make = (seed: number) => new Model(cell, config, shapeOf(true), Rng.stream(seed, 'init'));
        const [a, b, c] = [make(5), make(5), make(6)];
        const out = (m: Model) => tf.tidy(() => m.forward(xsTensor(), false, null).dataSync());
        assert.deepEqual(a.getWeights(), b.getWeights());
        assert.deepEqual(out(a), out(b));
        assert.notDeepEqual(a.getWeights(), c.getWeights());
        assert.notDeepEqual(out(a), out(c));
        for (const m of [a, b, c]) m.dispose();
      });

      test('a tidy forward + gradient leaks no tensors', () => {
        const model = new Model(cell, config, shapeOf(true), Rng.stream(3, 'init'));
        gradients(model); // warm-up: a backend may allocate lasting tensors on its first use of an op
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const xs = xsTensor();
          const C = tf.tensor3d(C_VALUES, [T, B, OUTPUT]);
          const { value, grads } = tf.variableGrads(
            () => lossOf(model, xs, C),
            Object.values(model.variables),
          );
          value.dataSync();
          for (const g of Object.values(grads)) g.dataSync();
        });
        assert.equal(tf.memory().numTensors, before);
        model.dispose();
      });

      test('every weight receives a finite, not-all-zero gradient', () => {
        const model = new Model(cell, config, shapeOf(true), Rng.stream(3, 'init'));
        const grads = gradients(model);
        for (const spec of model.specs) {
          const g = grads[spec.name]!;
          assert.equal(g.length, size(spec.shape), spec.name);
          assert.ok(g.every(Number.isFinite), `${spec.name}: non-finite gradient`);
          assert.ok(
            g.some((v) => v !== 0),
            `${spec.name}: gradient is all zero`,
          );
        }
        model.dispose();
      });

      test('gradients agree with central finite differences', (t) => {
        const model = new Model(cell, config, shapeOf(true), Rng.stream(3, 'init'));
        const grads = gradients(model);
        const pick = Rng.stream(4, `fd ${cell.name}`);
        const step = FD_STEP_OF[cell.name] ?? FD_STEP;
        const atol = FD_ATOL * (FD_STEP / step);
        let worst = 0;
        let kinks = 0;
        for (const spec of model.specs) {
          const g = grads[spec.name]!;
          const scale = g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          const argmax = g.findIndex((v) => Math.abs(v) === scale);
          const w0 = model.variables[spec.name]!.dataSync().slice();
          // Central difference at step h, divided by the step actually taken (w ± h rounded to float32).
          const fdAt = (k: number, h: number): number => {
            const w = w0[k]!;
            const plus = Math.fround(w + h);
            const minus = Math.fround(w - h);
            setCoordinate(model, spec.name, k, plus);
            const lp = lossValue(model);
            setCoordinate(model, spec.name, k, minus);
            const lm = lossValue(model);
            setCoordinate(model, spec.name, k, w);
            return (lp - lm) / (plus - minus);
          };
          const queue = [argmax, pick.int(g.length), pick.int(g.length)];
          let checked = 0;
          // A coordinate whose quotients at h and h/2 disagree has a kink of the loss within the step
          // (ReLU, modReLU): no gradient can be checked there, so it is replaced by another coordinate.
          // A wrong gradient is still caught wherever L is smooth: every weight needs 3 such coordinates.
          for (let tries = 0; checked < 3 && tries < 12; tries++) {
            const k = queue[tries] ?? pick.int(g.length);
            const fd = fdAt(k, step);
            const tol = FD_RTOL * Math.abs(g[k]!) + atol * Math.max(1, scale);
            if (Math.abs(fd - fdAt(k, step / 2)) > tol) {
              kinks += 1;
              continue;
            }
            checked += 1;
            const err = Math.abs(fd - g[k]!);
            worst = Math.max(worst, err / tol);
            assert.ok(
              err <= tol,
              `${spec.name}[${k}]: autodiff ${g[k]}, finite difference ${fd}, |diff| ${err} > ${tol}`,
            );
          }
          assert.equal(checked, 3, `${spec.name}: too few coordinates where the loss is smooth`);
        }
        if (kinks > 0) t.diagnostic(`${kinks} coordinates skipped: the loss has a kink within the step`);
        t.diagnostic(`worst finite-difference error: ${(worst * 100).toFixed(1)}% of the tolerance`);
        model.dispose();
      });
    });
  }
});
