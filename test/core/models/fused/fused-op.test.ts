// The fused kernel as one TF.js op in training: same loss, gradients and updates as the generic path; engine
// choice, the run record's 'fused-wasm', and the memory guard.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkbenchError } from '../../../../core/api/errors.ts';
import { defaultsOf, resolveConfig, type Config } from '../../../../core/api/params.ts';
import { createWasmGemm, type WasmGemm } from '../../../../core/engine/kernels/wasm-gemm.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import * as tf from '../../../../core/engine/tf.ts';
import { FusedSequence } from '../../../../core/models/fused/fused.ts';
import { fusedKernelFor } from '../../../../core/models/fused/registry.ts';
import { Model } from '../../../../core/models/model.ts';
import { getCell } from '../../../../core/models/registry.ts';
import { runJob } from '../../../../core/runner/job.ts';
import { openStore } from '../../../../core/storage/db.ts';
import { addingBatch } from '../../../../core/tasks/tasks/adding.ts';
import { TRAIN_SCHEMA } from '../../../../core/training/config.ts';
import { chooseEngine, FUSED_BACKEND, fusedBytes } from '../../../../core/training/engine.ts';
import { lossOf } from '../../../../core/training/losses.ts';
import { Stepper, train } from '../../../../core/training/loop.ts';
import { resolveRunSpec } from '../../../../core/training/spec.ts';
import { assertAllClose } from '../../../helpers/all-close.ts';
import { describeOnBackends } from '../../../helpers/backends.ts';
import { tempDir } from '../../../helpers/temp.ts';

const FUSED_CELLS = ['cornn', 'lstm'].filter((c) => fusedKernelFor(c) !== null);

function modelOf(cellName: string, units: number, every = false): Model {
  const cell = getCell(cellName);
  const config: Config = { ...defaultsOf(cell.config), units };
  return new Model(cell, config, { inputDim: 2, outputDim: 3, every }, Rng.stream(4, 'init'));
}

let gemm: WasmGemm;
before(async () => {
  gemm = await createWasmGemm({ threads: 2 });
});
after(() => gemm.dispose());

describeOnBackends('the fused op in Model.forward', (test) => {
  for (const cellName of FUSED_CELLS)
    for (const every of [false, true])
      test(`${cellName} (every=${every}): loss and every weight's gradient equal the generic path`, () => {
        const model = modelOf(cellName, 11, every);
        const batch = addingBatch(9, 5, 3, Rng.stream(2, 'data'));
        const lossAndGrads = () =>
          tf.tidy(() => {
            const x = tf.tensor3d(batch.x, batch.xShape);
            const pred = model.forward(x, true, null);
            const target = tf.randomNormal(pred.shape, 0, 1, 'float32', 5);
            const { value, grads } = tf.variableGrads(() =>
              lossOf('mse', model.forward(x, true, null), target),
            );
            return {
              loss: value.dataSync()[0]!,
              grads: Object.fromEntries(
                Object.entries(grads).map(([k, g]) => [k, Float32Array.from(g.dataSync() as Float32Array)]),
              ),
            };
          });
        const generic = lossAndGrads();
        const fused = new FusedSequence(fusedKernelFor(cellName)!, gemm);
        model.fused = fused;
        const before = tf.memory().numTensors;
        const live = gemm.liveBytes();
        const viaKernel = lossAndGrads();
        assert.equal(tf.memory().numTensors, before, 'no tensors leak');
        assert.equal(gemm.liveBytes(), live, 'every tape was released');
        assertAllClose([viaKernel.loss], [generic.loss], { rtol: 1e-5, label: 'loss' });
        assert.deepEqual(Object.keys(viaKernel.grads).sort(), Object.keys(generic.grads).sort());
        for (const [k, g] of Object.entries(generic.grads)) {
          const scale = Math.max(...g.map(Math.abs));
          assertAllClose(viaKernel.grads[k]!, g, { rtol: 1e-5, atol: 1e-6 * scale, label: k });
        }
        fused.dispose();
        model.dispose();
      });

  test('training 4 Adam steps fused equals generic (coRNN, clipping on)', () => {
    const tc = resolveConfig(TRAIN_SCHEMA, { optimizer: 'adam', lr: 0.01, clipNorm: 1 }, 'train');
    const run = (useFused: boolean) => {
      const model = modelOf('cornn', 7);
      if (useFused) model.fused = new FusedSequence(fusedKernelFor('cornn')!, gemm);
      const stepper = new Stepper(model, tc);
      const dataRng = Rng.stream(1, 'data');
      const losses = [];
      for (let s = 0; s < 4; s++)
        losses.push(stepper.step('mse', addingBatch(12, 6, 3, dataRng), Rng.stream(1, 'noise'), 0.01).loss);
      const w = model.getWeights();
      model.fused?.dispose();
      stepper.dispose();
      model.dispose();
      return { losses, w };
    };
    const g = run(false);
    const f = run(true);
    assertAllClose(f.losses, g.losses, { rtol: 1e-5, label: 'losses' });
    for (const [k, v] of Object.entries(g.w))
      assertAllClose(f.w[k]!.values, v.values, { rtol: 1e-5, atol: 1e-6, label: k });
  });
});

describe('engine choice', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  const tcOf = (engine: string, extra: Record<string, unknown> = {}) =>
    resolveConfig(TRAIN_SCHEMA, { engine, ...extra }, 'train');
  const shapes = { T: 20, D: 2, B: 8, evalB: 16 };

  it('auto takes the fused kernel on the cpu backend and records fused-wasm', async () => {
    const model = modelOf('cornn', 6);
    const e = await chooseEngine(model, tcOf('auto'), shapes, { gemm });
    assert.equal(e.kind, 'fused');
    assert.equal(e.record?.backend, FUSED_BACKEND);
    assert.match(e.record.device, /WebAssembly SIMD/);
    assert.ok(model.fused);
    e.dispose();
    assert.equal(model.fused, null);
    model.dispose();
  });

  it('generic on request, and for cells without a kernel; fused for such a cell is refused', async () => {
    const model = modelOf('cornn', 6);
    const e = await chooseEngine(model, tcOf('generic'), shapes, { gemm });
    assert.equal(e.kind, 'generic');
    assert.equal(e.record, null);
    assert.equal(model.fused, null);
    model.dispose();
    // A cell without a kernel (every registered cell may have one by now: a renamed copy has none).
    const cell = { ...getCell('rnn-tanh'), name: 'no-kernel-cell' };
    const m = new Model(
      cell,
      { ...defaultsOf(cell.config), units: 6 },
      { inputDim: 2, outputDim: 3, every: false },
      Rng.stream(4, 'init'),
    );
    assert.equal((await chooseEngine(m, tcOf('auto'), shapes, { gemm })).kind, 'generic');
    await assert.rejects(
      chooseEngine(m, tcOf('fused'), shapes, { gemm }),
      /no-kernel-cell has no fused kernel/,
    );
    m.dispose();
  });

  it('on a native backend, times one gradient of each engine and keeps the faster', async () => {
    const model = modelOf('cornn', 6);
    for (const fusedFaster of [true, false]) {
      const calls: string[] = [];
      const timeGradient = () => {
        const which = model.fused ? 'fused' : 'generic';
        calls.push(which);
        return (which === 'fused') === fusedFaster ? 10 : 20;
      };
      const e = await chooseEngine(model, tcOf('auto'), shapes, {
        gemm,
        backend: 'tensorflow',
        timeGradient,
      });
      assert.deepEqual(calls, ['fused', 'fused', 'generic', 'generic'], 'a warm-up and a timed call each');
      assert.equal(e.kind, fusedFaster ? 'fused' : 'generic');
      assert.equal(model.fused !== null, fusedFaster);
      assert.match(e.reason, /ms/);
      e.dispose();
    }
    model.dispose();
  });

  it('a psMNIST-size coRNN (hidden 256, batch 120, T 784) fits the fused engine without checkpointing', () => {
    const model = modelOf('cornn', 256);
    const fused = new FusedSequence(fusedKernelFor('cornn')!, gemm);
    const need = fusedBytes(fused, model, { T: 784, D: 2, B: 120, evalB: 500 });
    assert.ok(need < 1.5 * 2 ** 30, `${(need / 2 ** 20).toFixed(0)} MiB`);
    model.dispose();
  });

  it('refuses, before training, what would not fit: fused offers timeChunk, generic names the estimate', async () => {
    const model = modelOf('cornn', 256);
    const huge = { T: 200_000, D: 2, B: 120, evalB: 120 };
    await assert.rejects(chooseEngine(model, tcOf('fused'), huge, { gemm }), (err: unknown) => {
      assert.ok(err instanceof WorkbenchError && err.code === 'invalid_config');
      assert.match(
        err.message,
        /fused cornn kernel .* would need about [\d.]+ GiB.*set train\.timeChunk=\d+/,
      );
      return true;
    });
    const chunk = Number(
      /timeChunk=(\d+)/.exec(
        await chooseEngine(model, tcOf('fused'), huge, { gemm }).then(
          () => '',
          (e: Error) => e.message,
        ),
      )![1],
    );
    const ok = await chooseEngine(model, tcOf('fused', { timeChunk: chunk }), huge, { gemm });
    assert.equal(ok.kind, 'fused');
    ok.dispose();
    await assert.rejects(chooseEngine(model, tcOf('generic'), huge, { gemm }), (err: unknown) => {
      assert.ok(err instanceof WorkbenchError && err.code === 'invalid_config');
      assert.match(err.message, /TF\.js autodiff .* would need about [\d.]+ GiB.*fused engine/);
      return true;
    });
    model.dispose();
  });
});

describe('a run on the fused engine', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('trains through the loop and records backend fused-wasm; generic keeps the TF.js backend', async (t) => {
    const store = openStore(path.join(tempDir(t), 'wb.sqlite'));
    t.after(() => store.close());
    const base = {
      arch: 'cornn',
      task: 'adding',
      seed: 2,
      steps: 3,
      backend: 'cpu',
      set: { seqLen: 6, units: 5, evalSize: 10, evalEvery: 3, batchSize: 4, threads: 1 },
    };
    for (const [id, engine] of [
      ['fused', 'auto'],
      ['generic', 'generic'],
    ] as const) {
      const spec = resolveRunSpec({ ...base, set: { ...base.set, engine } }, () => 0);
      store.createRun({ id, experiment: 'e', spec, baseline: 1 / 6, createdAt: 1 });
      const r = await runJob(
        store,
        id,
        'start',
        () => {},
        () => false,
      );
      assert.equal(r.status, 'completed', r.error ?? '');
    }
    assert.equal(store.getRun('fused').env?.backend, FUSED_BACKEND);
    assert.equal(store.getRun('generic').env?.backend, 'cpu');
    const loss = (id: string) => store.getRun(id).latest['train/loss']!.value;
    assertAllClose([loss('fused')], [loss('generic')], { rtol: 1e-4, label: 'final training loss' });
  });

  it('the same seed gives the same curve bit for bit on the fused engine', async () => {
    const spec = resolveRunSpec(
      {
        arch: 'cornn',
        task: 'adding',
        seed: 5,
        steps: 4,
        backend: 'cpu',
        set: { seqLen: 8, units: 9, evalSize: 10, evalEvery: 4, batchSize: 5, threads: 2 },
      },
      () => 0,
    );
    const curve = async () => {
      const out: number[] = [];
      for await (const e of train({
        spec,
        checkpoint: null,
        shouldStop: () => false,
      }))
        if (e.type === 'metrics' && 'train/loss' in e.values) out.push(e.values['train/loss']);
      return out;
    };
    const a = await curve();
    assert.deepEqual(await curve(), a);
    assert.equal(a.length, 4);
  });
});
