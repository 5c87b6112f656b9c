// Every registered architecture, trained a few steps, exported to safetensors and .npz, rebuilt in plain PyTorch by the
// shipped export/pytorch/rnnwb_torch.py and run: its outputs must equal the workbench's within 1e-5.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '../../../core/engine/tf.ts';
import { selectBackend } from '../../../core/engine/backend.ts';
import { Rng } from '../../../core/engine/rng.ts';
import { FORMATS, exportMetadata, writeWeights } from '../../../core/export/weights.ts';
import { Model } from '../../../core/models/model.ts';
import { CELLS, getCell } from '../../../core/models/registry.ts';
import { getTask } from '../../../core/tasks/registry.ts';
import { Stepper } from '../../../core/training/loop.ts';
import { resolveRunSpec } from '../../../core/training/spec.ts';
import { tempDir } from '../../helpers/temp.ts';
import { assertTorchReproduces, torchMissing, type TorchCase } from './torch-check.ts';

/** Tiny configs: odd widths, so a transposed or mis-split tensor cannot pass. */
const TINY: Record<string, Record<string, number | string | boolean>> = {
  unicornn: { units: 4, layers: 2 },
  scornn: { units: 5, negOnes: 2 },
  'vector-field': { units: 5, directions: 3 },
};

/** Architectures also checked on the copying task (outputs at every step, 10 inputs, 9 classes). */
const COPYING = new Set(['lstm', 'urnn']);

/** Train `arch` 3 steps on a tiny task in-process, export it both ways, and record its outputs on a fixed input. */
function makeCase(dir: string, arch: string, taskName: string): TorchCase {
  const spec = resolveRunSpec(
    {
      arch,
      task: taskName,
      seed: 7,
      steps: 3,
      set: {
        ...Object.fromEntries(Object.entries(TINY[arch] ?? { units: 5 }).map(([k, v]) => [`arch.${k}`, v])),
        seqLen: taskName === 'adding' ? 12 : 3,
        evalSize: 4,
        'train.batchSize': 4,
        // A larger step than the defaults so the weights move visibly away from their initialisation.
        'train.lr': 0.01,
      },
    },
    () => 7,
  );
  const task = getTask(taskName);
  const shape = task.shape(spec.taskConfig);
  const model = new Model(getCell(arch), spec.archConfig, shape, Rng.stream(spec.seed, 'init'));
  const stepper = new Stepper(model, spec.trainConfig);
  const data = task.data(spec.taskConfig, spec.seed);
  const dataRng = Rng.stream(spec.seed, 'data');
  const noiseRng = Rng.stream(spec.seed, 'noise');
  try {
    for (let s = 0; s < 3; s++) stepper.step(task.loss, data.trainBatch(4, dataRng), noiseRng, 0.01);
    const name = `${arch}-${taskName}`;
    const metadata = exportMetadata({ spec, runId: name, step: 3, shape, appVersion: 'test' });
    const files = { safetensors: '', npz: '' };
    for (const format of ['safetensors', 'npz'] as const)
      for (const f of writeWeights(FORMATS[format], model.specs, model.getWeights(), metadata, name)) {
        const p = path.join(dir, f.name);
        fs.writeFileSync(p, f.data);
        files[format] = p;
      }
    const xShape: [number, number, number] = [taskName === 'adding' ? 12 : 23, 3, shape.inputDim];
    const x = Rng.stream(11, 'x').normalArray(xShape[0] * xShape[1] * xShape[2]);
    const y = tf.tidy(() => model.forward(tf.tensor3d(x, xShape), false, null));
    const expected = { shape: y.shape, data: Array.from(y.dataSync()) };
    y.dispose();
    return { name, files, x: { shape: xShape, data: Array.from(x) }, expected };
  } finally {
    stepper.dispose();
    model.dispose();
  }
}

describe('export to PyTorch', () => {
  let missing: string | null = null;
  before(async () => {
    await selectBackend('cpu');
    missing = torchMissing();
  });

  it('rebuilds every registered architecture from safetensors and .npz and reproduces its outputs', (t) => {
    if (missing) {
      t.skip(missing);
      return;
    }
    const dir = tempDir(t, 'rnnwb-torch-');
    const cases = CELLS.flatMap((c) => [
      makeCase(dir, c.name, 'adding'),
      ...(COPYING.has(c.name) ? [makeCase(dir, c.name, 'copying')] : []),
    ]);
    const lines = assertTorchReproduces(t, dir, cases);
    for (const c of CELLS)
      assert.ok(
        lines.some((l) => l.includes(`${c.name}-adding`)),
        c.name,
      );
  });
});
