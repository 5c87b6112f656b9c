// Shared by the tests of the orthogonal and unitary cells (exprnn, scornn, urnn) and of linalg.ts: the copying
// model after a few optimizer steps that move its weights far, and the float64 orthogonality error.
import assert from 'node:assert/strict';
import type { Config } from '../../../../core/api/params.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import type { CellSpec } from '../../../../core/models/cell.ts';
import { Model } from '../../../../core/models/model.ts';
import { copyingBatch } from '../../../../core/tasks/tasks/copying.ts';
import { Stepper } from '../../../../core/training/loop.ts';
import { trainDefaultsFor } from '../../../../core/training/spec.ts';

/** The copying model: one-hot 10 in (9 symbols + marker), 9 classes out at every step. */
export const COPYING_SHAPE = { inputDim: 10, outputDim: 9, every: true };

/** max |WᵀW − I| in float64 for an n × n matrix W given row-major. */
export function orthogonalityError(w: ArrayLike<number>, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += w[k * n + i]! * w[k * n + j]!;
      worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
    }
  return worst;
}

/** The run of `trainOnCopying`. */
export interface CopyingRun {
  /** Rng.stream(seed, 'init'), (seed, 'data') and (seed, 'noise'): the initial weights, the batches, the noise. */
  seed: number;
  /** Replaces the cell's default learning rate (its other training defaults stay). */
  lr: number;
  steps: number;
  /** Each step's batch is copyingBatch(T, batch, layout). */
  T: number;
  batch: number;
  layout: 'urnn' | 'exprnn';
}

/**
 * A model of `cell` on the copying task after `run.steps` optimizer steps with the cell's training defaults (the
 * official optimizers) and the learning rate `run.lr`, each step's loss asserted finite. A large lr makes a few
 * steps move the orthogonal or unitary parameters far, so that what the caller then checks must hold by
 * construction, not because the weights barely changed. `moved`: max |after − before| of each weight, by name.
 * The caller disposes the model.
 */
export function trainOnCopying(
  cell: CellSpec,
  config: Config,
  run: CopyingRun,
): { model: Model; moved: Record<string, number> } {
  const model = new Model(cell, config, COPYING_SHAPE, Rng.stream(run.seed, 'init'));
  const tc = { ...trainDefaultsFor(cell.name), lr: run.lr } as Config;
  const stepper = new Stepper(model, tc);
  const start = model.getWeights();
  const dataRng = Rng.stream(run.seed, 'data');
  const noiseRng = Rng.stream(run.seed, 'noise');
  for (let s = 0; s < run.steps; s++) {
    const { loss } = stepper.step(
      'ce',
      copyingBatch(run.T, run.batch, run.layout, dataRng),
      noiseRng,
      run.lr,
    );
    assert.ok(Number.isFinite(loss), `step ${s}: loss ${loss}`);
  }
  stepper.dispose();
  const moved: Record<string, number> = {};
  for (const [name, { values }] of Object.entries(model.getWeights()))
    moved[name] = start[name]!.values.reduce((m, v, i) => Math.max(m, Math.abs(v - values[i]!)), 0);
  return { model, moved };
}
