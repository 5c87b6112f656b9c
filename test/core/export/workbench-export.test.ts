// A run trained in the workbench (real runner process): its diagnostics, its exports in every format loaded in PyTorch
// and read back as the start of a new run, its spectrum; foreign files refused before any run is created.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import * as tf from '../../../core/engine/tf.ts';
import { selectBackend } from '../../../core/engine/backend.ts';
import { Rng } from '../../../core/engine/rng.ts';
import type { ExportResult, RunRecord } from '../../../core/api/types.ts';
import { Model } from '../../../core/models/model.ts';
import { getCell } from '../../../core/models/registry.ts';
import { getTask } from '../../../core/tasks/registry.ts';
import { decodeCheckpoint } from '../../../core/training/checkpoint.ts';
import { Workbench } from '../../../core/workbench.ts';
import { assertTorchReproduces, torchMissing } from './torch-check.ts';

const TINY = {
  seqLen: 10,
  'arch.units': 5,
  evalSize: 20,
  evalEvery: 3,
  checkpointEvery: 3,
  diagEvery: 3,
  diagBatch: 4,
  batchSize: 8,
};

/** The files of an export as the contract returned them, written under `dir`; returns name → path. */
function save(dir: string, r: ExportResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of r.files) {
    const p = path.join(dir, f.name);
    fs.writeFileSync(p, Buffer.from(f.base64, 'base64'));
    out[f.name] = p;
  }
  return out;
}

const asInit = (r: ExportResult) => ({
  files: r.files
    .filter((f) => !f.name.endsWith('.card.json'))
    .map((f) => ({ name: f.name, base64: f.base64 })),
});

describe('a workbench run: diagnostics, export, import', () => {
  let wb: Workbench;
  let run: RunRecord;
  let dir: string;
  before(async () => {
    await selectBackend('cpu');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnwb-export-'));
  });
  after(async () => {
    await wb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('trains with diagnostics: ‖∂L/∂h_t‖ and ‖h_t‖ over t at steps 0, 3, 6; parameters per tensor; speed; memory', async () => {
    wb = new Workbench({ dbPath: path.join(dir, 'wb.sqlite') });
    run = await wb.startRun({ arch: 'urnn', task: 'adding', seed: 3, steps: 6, backend: 'cpu', set: TINY });
    run = await wb.waitForRun(run.id);
    assert.equal(run.status, 'completed', run.error ?? '');
    const d = await wb.diagnostics({ runId: run.id });
    assert.deepEqual(
      d.probes.map((p) => p.step),
      [0, 3, 6],
    );
    for (const p of d.probes) {
      assert.equal(p.gradNorms.length, 10);
      assert.equal(p.stateNorms.length, 10);
      assert.ok(p.gradNorms.every((g) => Number.isFinite(g) && g > 0));
    }
    assert.equal(d.probeBatch, 4);
    assert.equal(d.diagEvery, 3);
    // uRNN n = 5: V [2, 10], hidden_bias 5, reflection [2, 10], theta [3, 5], h_0 [1, 10]; readout [1, 10] + 1.
    assert.deepEqual(
      d.params.map((p) => [p.name, p.count, p.complex]),
      [
        ['V', 20, true],
        ['hidden_bias', 5, false],
        ['reflection', 20, true],
        ['theta', 15, false],
        ['h_0', 10, true],
        ['readout.weight', 10, false],
        ['readout.bias', 1, false],
      ],
    );
    assert.equal(d.paramCount, 81);
    assert.equal(run.paramCount, 81);
    assert.ok(d.medianStepMs !== null && d.medianStepMs > 0);
    assert.ok(d.peakRssMb !== null && d.peakRssMb > 20);
    // The ratio ‖∂L/∂h_1‖/‖∂L/∂h_T‖ is a metric too, for curves and Compare.
    const [ratio] = await wb.metrics({ runId: run.id, keys: ['diag/grad_ratio'] });
    assert.deepEqual(
      ratio!.points.map((p) => p.step),
      [0, 3, 6],
    );
    assert.ok(
      Math.abs(ratio!.points[2]!.value - d.probes[2]!.gradNorms[0]! / d.probes[2]!.gradNorms[9]!) < 1e-9,
    );
  });

  it('exports safetensors, .npz and TF.js with a model card; PyTorch reproduces the run’s outputs', async (t) => {
    const st = await wb.exportWeights({ runId: run.id, format: 'safetensors' });
    const npz = await wb.exportWeights({ runId: run.id, format: 'npz' });
    const tfjs = await wb.exportWeights({ runId: run.id, format: 'tfjs' });
    assert.equal(st.step, 6);
    assert.deepEqual(
      st.files.map((f) => f.name),
      [`urnn-${run.id}-step6.safetensors`, `urnn-${run.id}-step6.safetensors.card.json`],
    );
    assert.deepEqual(
      tfjs.files.map((f) => f.name),
      ['model.json', `urnn-${run.id}-step6.group1-shard1of1.bin`, `urnn-${run.id}-step6.tfjs.card.json`],
    );
    const stPaths = save(dir, st);
    const npzPaths = save(dir, npz);
    const card = JSON.parse(
      fs.readFileSync(stPaths[`urnn-${run.id}-step6.safetensors.card.json`]!, 'utf8'),
    ) as {
      format: string;
      architecture: { name: string; config: Record<string, unknown> };
      training: { seed: number };
      task: { name: string; datasetHash: string | null };
      metrics: { main: { metric: string; last: number } };
      parameters: { stored: number; tensors: { name: string }[] };
      export: { files: { name: string; sha256: string }[] };
      environment: { backend: string };
      exportedBy: Record<string, string>;
    };
    assert.equal(card.format, 'rnn-workbench-model-card-1');
    assert.equal(card.architecture.name, 'urnn');
    assert.equal(card.architecture.config['units'], 5);
    assert.equal(card.training.seed, 3);
    assert.equal(card.task.name, 'adding');
    assert.equal(card.task.datasetHash, null);
    assert.equal(card.metrics.main.metric, 'eval/mse');
    assert.equal(card.parameters.stored, 81);
    assert.equal(card.environment.backend, run.env?.backend);
    assert.ok(card.exportedBy['rnn-workbench']);
    assert.equal(card.export.files[0]!.sha256, st.files[0]!.sha256);

    const missing = torchMissing();
    if (missing) {
      t.skip(missing);
      return;
    }
    // The workbench's forward with the run's last checkpoint, on a fixed input.
    const saved = decodeCheckpoint((await storeCheckpoint(wb, run.id))!, 'checkpoint');
    const task = getTask('adding');
    const model = new Model(
      getCell('urnn'),
      run.spec.archConfig,
      task.shape(run.spec.taskConfig),
      saved.weights,
    );
    const xShape: [number, number, number] = [10, 3, 2];
    const x = Rng.stream(1, 'x').uniformArray(60, 0, 1);
    const y = tf.tidy(() => model.forward(tf.tensor3d(x, xShape), false, null));
    const expected = { shape: y.shape, data: Array.from(y.dataSync()) };
    y.dispose();
    model.dispose();
    assertTorchReproduces(t, dir, [
      {
        name: `urnn run ${run.id}`,
        files: {
          safetensors: stPaths[`urnn-${run.id}-step6.safetensors`]!,
          npz: npzPaths[`urnn-${run.id}-step6.npz`]!,
        },
        x: { shape: xShape, data: Array.from(x) },
        expected,
      },
    ]);
  });

  it('starts a run from each export: its step-0 evaluation is the source run’s last', async () => {
    const last = run.latest['eval/mse']!.value;
    for (const format of ['safetensors', 'npz', 'tfjs']) {
      const exported = await wb.exportWeights({ runId: run.id, format });
      // No --set units: the file's architecture config is the default.
      const started = await wb.startRun({
        arch: 'urnn',
        task: 'adding',
        seed: 3,
        steps: 1,
        backend: 'cpu',
        set: { seqLen: 10, evalSize: 20, diagEvery: 0 },
        initFrom: asInit(exported),
      });
      assert.equal(started.spec.archConfig['units'], 5);
      assert.match(started.tags['init.from'] ?? '', new RegExp(`\\(${format}, sha256 [0-9a-f]{16}\\)$`));
      const done = await wb.waitForRun(started.id);
      assert.equal(done.status, 'completed', done.error ?? '');
      const [mse] = await wb.metrics({ runId: started.id, keys: ['eval/mse'] });
      assert.equal(mse!.points[0]!.step, 0);
      assert.ok(
        Math.abs(mse!.points[0]!.value - last) <= 1e-6 * Math.abs(last),
        `${format}: ${mse!.points[0]!.value} vs ${last}`,
      );
    }
  });

  it('refuses foreign and corrupt weight files before creating a run', async () => {
    const before = (await wb.runs({})).length;
    const st = await wb.exportWeights({ runId: run.id, format: 'safetensors' });
    const bytes = Buffer.from(st.files[0]!.base64, 'base64');
    const attempts: [string, Buffer, Record<string, number>, RegExp][] = [
      ['truncated', bytes.subarray(0, 6), {}, /shorter than its 8-byte header length/],
      [
        'cut in the header',
        bytes.subarray(0, 100),
        {},
        /header length \d+ runs past the end of the 100-byte file/,
      ],
      [
        'another size',
        bytes,
        { 'arch.units': 6 },
        /tensor 'V.real' has shape \[2, 5\], but urnn with this config expects \[2, 6\]/,
      ],
    ];
    for (const [what, data, set, re] of attempts)
      await assert.rejects(
        wb.startRun({
          arch: 'urnn',
          task: 'adding',
          steps: 1,
          set: { seqLen: 10, ...set },
          initFrom: { files: [{ name: `${what}.safetensors`, base64: data.toString('base64') }] },
        }),
        (err: { code?: string; message?: string }) =>
          err.code === 'invalid_input' && re.test(err.message ?? ''),
        what,
      );
    await assert.rejects(
      wb.startRun({ arch: 'lstm', task: 'adding', steps: 1, set: { seqLen: 10 }, initFrom: asInit(st) }),
      /lacks tensor 'weight_ih'/,
    );
    assert.equal((await wb.runs({})).length, before);
  });

  it('computes the recurrent matrix’s spectrum at initialisation and at a checkpoint: uRNN’s W is unitary', async () => {
    for (const step of [0, 6]) {
      const s = await wb.spectrum({ runId: run.id, step });
      assert.equal(s.step, step);
      assert.equal(s.n, 10);
      for (let i = 0; i < s.n; i++) assert.ok(Math.abs(Math.hypot(s.re[i]!, s.im[i]!) - 1) < 1e-5);
      for (const v of s.singularValues) assert.ok(Math.abs(v - 1) < 1e-5);
    }
    await assert.rejects(
      wb.spectrum({ runId: run.id, step: 4 }),
      /no checkpoint at step 4 \(kept: 0, 3, 6|no checkpoint at step 4 \(kept: 3, 6/,
    );
  });
});

/** The run's newest checkpoint bytes, read through the store the Workbench owns (via a fresh Workbench handle). */
async function storeCheckpoint(wb: Workbench, runId: string): Promise<Uint8Array | null> {
  const { openStore } = await import('../../../core/storage/db.ts');
  const store = openStore(wb.dbPath);
  try {
    return store.latestCheckpoint(runId)?.data ?? null;
  } finally {
    store.close();
  }
}
