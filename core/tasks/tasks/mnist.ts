// Sequential MNIST and permuted sequential MNIST: 784 steps × 1 pixel, 10 classes at the last step (models-and-tasks.md §7.3).
import type { Config } from '../../api/params.ts';
import type { DatasetRef } from '../../api/types.ts';
import { builtinMnist, loadDataset } from '../datasets/catalog.ts';
import type { IdxImages, ImageSplit } from '../datasets/idx.ts';
import { DATASET_EVAL_PARAMS } from '../datasets/params.ts';
import { PERMUTATION_NAMES, PERMUTATIONS, type PermutationName } from '../datasets/permutations.ts';
import { trainTestData, type ExampleSource } from '../datasets/pipeline.ts';
import type { TaskSpec } from '../task.ts';

/** Validation splits of the training file: coRNN / UnICORNN 57k/3k, LipschitzRNN 58k/2k, expRNN none. */
const VALIDATION: Record<string, number> = { '57k/3k': 3000, '58k/2k': 2000, none: 0 };

/**
 * Image i as a sequence: x_t = scale · pixel[order[t]] (order = identity for sMNIST, the permutation for
 * psMNIST, as `x.view(-1, 784)[:, perm]`), one pixel per step; the label at the last step.
 */
export function pixelSource(
  split: ImageSplit,
  pixels: number,
  order: Int32Array | null,
  scale: number,
): ExampleSource {
  const { images, labels } = split;
  return {
    T: pixels,
    D: 1,
    write(i, x, col, B) {
      const base = i * pixels;
      if (order) for (let t = 0; t < pixels; t++) x[t * B + col] = images[base + order[t]!]! * scale;
      else for (let t = 0; t < pixels; t++) x[t * B + col] = images[base + t]! * scale;
    },
    label: (i) => labels[i]!,
  };
}

function mnistImages(ref: DatasetRef | undefined): IdxImages {
  const loaded = loadDataset(ref ?? builtinMnist());
  if (loaded.format !== 'idx') throw new Error(`dataset ${ref?.name ?? ''} is not an IDX image dataset`);
  return loaded.images;
}

function mnistTask(permuted: boolean): TaskSpec {
  return {
    name: permuted ? 'psmnist' : 'smnist',
    title: permuted ? 'Permuted sequential MNIST' : 'Sequential MNIST',
    summary: permuted
      ? 'MNIST digits as 784 pixels in one fixed random order, one per step; classify at the last step.'
      : 'MNIST digits as 784 pixels in scan-line order, one per step; classify at the last step.',
    paper: permuted
      ? 'Le et al. 2015; permutations of tk-rusch/coRNN, LipschitzRNN (seed 12008), UnICORNN (5544), expRNN (NumPy 92916)'
      : 'Le et al. 2015; data pipeline of tk-rusch/coRNN (ToTensor, 57k/3k split)',
    config: {
      ...(permuted
        ? {
            permutation: {
              type: 'enum',
              default: 'cornn-12008',
              choices: PERMUTATION_NAMES,
              description: `pixel order: ${PERMUTATION_NAMES.map((n) => `${n} = ${PERMUTATIONS[n].doc}`).join('; ')}`,
            },
          }
        : {}),
      pixelScale: {
        type: 'enum',
        default: 'unit',
        choices: ['unit', 'raw'],
        description:
          'pixels in [0, 1] (ToTensor: coRNN, UnICORNN, expRNN) or raw 0–255 (LipschitzRNN / NoisyRNN psMNIST)',
      },
      validation: {
        type: 'enum',
        default: '57k/3k',
        choices: Object.keys(VALIDATION),
        description:
          'train/validation split of the 60k training images (57k/3k coRNN, UnICORNN; 58k/2k LipschitzRNN; none expRNN)',
      },
      ...DATASET_EVAL_PARAMS,
    },
    loss: 'ce',
    metric: 'accuracy',
    lowerIsBetter: false,
    dataset: {
      formats: ['idx'],
      kinds: ['images'],
      builtin: builtinMnist,
      builtinName: 'mnist',
      check: (ds) =>
        permuted && ds.shape.seqLen !== 784
          ? `psmnist needs 28×28 images (784 pixels), the dataset has ${ds.shape.seqLen} pixels per image`
          : null,
    },
    shape: (_config: Config, ref?: DatasetRef) => ({
      inputDim: 1,
      outputDim: mnistImages(ref).classes,
      every: false,
    }),
    baseline: () => 0.1,
    /** The digit as drawn: the permutation undone (pixel order[t] got x_t), scaled back to 0–255. */
    exampleImage(x, config) {
      const side = Math.round(Math.sqrt(x.length));
      if (side * side !== x.length) return null;
      const order = permuted ? PERMUTATIONS[config['permutation'] as PermutationName].make() : null;
      const scale = config['pixelScale'] === 'raw' ? 1 : 255;
      const pixels = new Array<number>(x.length);
      for (let t = 0; t < x.length; t++) pixels[order ? order[t]! : t] = Math.round(x[t]! * scale);
      return { width: side, height: side, channels: 1, pixels };
    },
    data(config, seed, ref) {
      const im = mnistImages(ref);
      const pixels = im.height * im.width;
      const order = permuted ? PERMUTATIONS[config['permutation'] as PermutationName].make() : null;
      if (order && order.length !== pixels)
        throw new Error(`the permutation has ${order.length} entries but the images have ${pixels} pixels`);
      const scale = config['pixelScale'] === 'raw' ? 1 : 1 / 255;
      return trainTestData({
        train: pixelSource(im.train, pixels, order, scale),
        trainN: im.train.n,
        test: pixelSource(im.test, pixels, order, scale),
        testN: im.test.n,
        validation: VALIDATION[config['validation'] as string] ?? 0,
        config,
        seed,
        noisy: false,
      });
    },
  };
}

export const smnist = mnistTask(false);
export const psmnist = mnistTask(true);
