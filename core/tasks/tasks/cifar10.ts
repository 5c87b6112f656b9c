// Pixel CIFAR-10 (1024 × 3) and noise-padded CIFAR-10 (1000 × 96) from the binary batches (models-and-tasks.md §7.4).
import type { Config } from '../../api/params.ts';
import type { DatasetRef } from '../../api/types.ts';
import { Rng } from '../../engine/rng.ts';
import { loadDataset } from '../datasets/catalog.ts';
import type { ImageSplit } from '../datasets/idx.ts';
import { DATASET_EVAL_PARAMS } from '../datasets/params.ts';
import { trainTestData, type ExampleSource } from '../datasets/pipeline.ts';
import type { TaskSpec } from '../task.ts';

/** Validation splits of the 50k training images: coRNN 47k/3k, UnICORNN 48k/2k, or none. */
const VALIDATION: Record<string, number> = { '47k/3k': 3000, '48k/2k': 2000, none: 0 };
/** Noise-padded CIFAR-10: 32 image rows, then 968 steps of N(0, 1) noise, 96 inputs per step. */
export const NOISE_STEPS = 968;
const ROW = 96;

/** Pixel CIFAR-10: step t = pixel t in scan-line order, inputs (R, G, B) of that pixel. */
export function pixelCifarSource(split: ImageSplit, scale: number): ExampleSource {
  return {
    T: 1024,
    D: 3,
    write(i, x, col, B) {
      const base = i * 3072;
      for (let t = 0; t < 1024; t++)
        for (let c = 0; c < 3; c++) x[(t * B + col) * 3 + c] = split.images[base + c * 1024 + t]! * scale;
    },
    label: (i) => split.labels[i]!,
  };
}

/**
 * Noise-padded CIFAR-10 with the coRNN / UnICORNN / LipschitzRNN row packing `x.permute(0,2,1,3).reshape(B,32,96)`:
 * step r < 32 holds [R row r, G row r, B row r] (32 values each); steps 32…999 hold noise: the same (968, 96)
 * block for every image (`block`, the official scripts' protocol) or fresh N(0, 1) draws from `noise`
 * (AntisymmetricRNN's "independent" definition) when block is null.
 */
export function noisePaddedSource(
  split: ImageSplit,
  scale: number,
  block: Float32Array | null,
): ExampleSource {
  return {
    T: 32 + NOISE_STEPS,
    D: ROW,
    write(i, x, col, B, noise) {
      const base = i * 3072;
      for (let r = 0; r < 32; r++)
        for (let c = 0; c < 3; c++)
          for (let k = 0; k < 32; k++)
            x[(r * B + col) * ROW + c * 32 + k] = split.images[base + c * 1024 + r * 32 + k]! * scale;
      for (let s = 0; s < NOISE_STEPS; s++) {
        const at = ((32 + s) * B + col) * ROW;
        if (block) x.set(block.subarray(s * ROW, (s + 1) * ROW), at);
        else for (let d = 0; d < ROW; d++) x[at + d] = noise!.normal();
      }
    },
    label: (i) => split.labels[i]!,
  };
}

function cifarImages(ref: DatasetRef | undefined) {
  if (!ref)
    throw new Error(
      'CIFAR-10 tasks need a dataset: import the binary batches with `rnnwb datasets import FOLDER`',
    );
  const loaded = loadDataset(ref);
  if (loaded.format !== 'cifar10')
    throw new Error(`dataset ${ref.name} is not CIFAR-10 (format ${loaded.format})`);
  return loaded.images;
}

function cifarTask(padded: boolean): TaskSpec {
  return {
    name: padded ? 'cifar10-noise-padded' : 'cifar10-pixel',
    title: padded ? 'Noise-padded CIFAR-10' : 'Pixel CIFAR-10',
    summary: padded
      ? 'CIFAR-10 images as 32 rows of 96 values (R, G, B rows), then 968 steps of Gaussian noise; classify at step 1000.'
      : 'CIFAR-10 images as 1024 pixels of 3 channels in scan-line order; classify at the last step.',
    paper: padded
      ? 'Chang et al. 2019 (AntisymmetricRNN); packing and fixed noise block of tk-rusch/coRNN cifar_noise'
      : 'Chang et al. 2019; tk-rusch/coRNN, UnICORNN',
    config: {
      pixelScale: {
        type: 'enum',
        default: 'unit',
        choices: ['unit', 'raw'],
        description: 'pixels in [0, 1] (ToTensor, no normalisation: coRNN, UnICORNN) or raw 0–255',
      },
      validation: {
        type: 'enum',
        default: '47k/3k',
        choices: Object.keys(VALIDATION),
        description:
          'train/validation split of the 50k training images (47k/3k coRNN, 48k/2k UnICORNN, none)',
      },
      ...(padded
        ? {
            noise: {
              type: 'enum',
              default: 'fixed',
              choices: ['fixed', 'independent'],
              description:
                'fixed: one (968, 96) N(0,1) block appended to every image, train and test (coRNN, UnICORNN, ' +
                'LipschitzRNN code); independent: fresh noise per image and step (AntisymmetricRNN definition)',
            },
            noiseSeed: {
              type: 'integer',
              default: 0,
              min: 0,
              max: 2 ** 31 - 1,
              description:
                "seed of the fixed noise block (ours; not torch.randn's), shared by runs that set it alike",
            },
          }
        : {}),
      ...DATASET_EVAL_PARAMS,
    },
    loss: 'ce',
    metric: 'accuracy',
    lowerIsBetter: false,
    dataset: { formats: ['cifar10'], kinds: ['images'] },
    shape: (_config: Config) => ({ inputDim: padded ? ROW : 3, outputDim: 10, every: false }),
    baseline: () => 0.1,
    /** The image back from its steps: pixel t (pixel task), or rows [R, G, B] of the first 32 steps (noise-padded). */
    exampleImage(x, config) {
      const scale = config['pixelScale'] === 'raw' ? 1 : 255;
      const pixels = new Array<number>(3072);
      for (let r = 0; r < 32; r++)
        for (let k = 0; k < 32; k++)
          for (let c = 0; c < 3; c++) {
            const v = padded ? x[r * ROW + c * 32 + k]! : x[(r * 32 + k) * 3 + c]!;
            pixels[(r * 32 + k) * 3 + c] = Math.round(v * scale);
          }
      return { width: 32, height: 32, channels: 3, pixels };
    },
    data(config, seed, ref) {
      const im = cifarImages(ref);
      const scale = config['pixelScale'] === 'raw' ? 1 : 1 / 255;
      const independent = padded && config['noise'] === 'independent';
      const block =
        padded && !independent
          ? Rng.stream(config['noiseSeed'] as number, 'cifar-noise-block').normalArray(NOISE_STEPS * ROW)
          : null;
      const source = (s: ImageSplit) =>
        padded ? noisePaddedSource(s, scale, block) : pixelCifarSource(s, scale);
      return trainTestData({
        train: source(im.train),
        trainN: im.train.n,
        test: source(im.test),
        testN: im.test.n,
        validation: VALIDATION[config['validation'] as string] ?? 0,
        config,
        seed,
        noisy: independent,
      });
    },
  };
}

export const cifar10Pixel = cifarTask(false);
export const cifar10NoisePadded = cifarTask(true);
