// Run-time input schemas, one per contract method: the HTTP caller is untrusted, so every input is checked.
import { z } from 'zod';
import type { MethodName } from './contract.ts';
import { DATASET_FORMATS, PERTURBATIONS, RUN_STATUSES } from './types.ts';

const runId = z.string().min(1).max(64);
const empty = z.object({}).strict();
const metricsInput = z
  .object({
    runId,
    keys: z.array(z.string().max(128)).max(64).optional(),
    maxPoints: z.number().int().min(2).max(1_000_000).optional(),
    fromStep: z.number().int().min(0).optional(),
    toStep: z.number().int().min(0).optional(),
  })
  .strict();
const startRun = z
  .object({
    arch: z.string().min(1).max(64),
    task: z.string().min(1).max(64),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .optional(),
    steps: z.number().int().min(1).max(1e9).optional(),
    set: z.record(z.string().max(128), z.union([z.string().max(256), z.number(), z.boolean()])).optional(),
    backend: z.string().max(32).optional(),
    experiment: z.string().min(1).max(128).optional(),
    dataset: z.string().min(1).max(256).optional(),
    epochs: z.number().int().min(1).max(1e6).optional(),
    initFrom: z
      .object({
        files: z
          .array(z.object({ name: z.string().min(1).max(256), base64: z.string().max(2 ** 30) }).strict())
          .min(1)
          .max(256),
      })
      .strict()
      .optional(),
  })
  .strict();
const setValues = z.record(z.string().max(128), z.union([z.string().max(256), z.number(), z.boolean()]));

/** One schema per method; `satisfies` makes a method without a schema a compile error. */
export const INPUT_SCHEMAS = {
  archs: empty,
  tasks: empty,
  resolveRun: startRun,
  startRun,
  runs: z
    .object({
      status: z.enum(RUN_STATUSES).optional(),
      arch: z.string().optional(),
      task: z.string().optional(),
    })
    .strict(),
  run: z.object({ runId }).strict(),
  metrics: metricsInput,
  metricsMany: z.object({ requests: z.array(metricsInput).min(1).max(500) }).strict(),
  checkpoints: z.object({ runId }).strict(),
  stopRun: z.object({ runId }).strict(),
  resumeRun: z.object({ runId, steps: z.number().int().min(1).max(1e9).optional() }).strict(),
  setTag: z
    .object({ runId, key: z.string().min(1).max(64), value: z.string().max(1024).nullable() })
    .strict(),
  setNote: z.object({ runId, note: z.string().max(100_000) }).strict(),
  deleteRun: z.object({ runId }).strict(),
  trainingOptions: empty,
  summarize: z
    .object({
      runIds: z.array(runId).min(1).max(500),
      threshold: z.number().optional(),
      full: z.boolean().optional(),
    })
    .strict(),
  datasets: empty,
  importDataset: z
    .object({
      path: z.string().min(1).max(4096),
      format: z.enum(DATASET_FORMATS).optional(),
      name: z.string().min(1).max(128).optional(),
      options: z.record(z.string().max(64), z.string().max(4096)).optional(),
    })
    .strict(),
  deleteDataset: z.object({ datasetId: z.string().min(1).max(256) }).strict(),
  datasetPreview: z
    .object({
      task: z.string().min(1).max(64),
      dataset: z.string().min(1).max(256).optional(),
      set: setValues.optional(),
      count: z.number().int().min(1).max(16).optional(),
    })
    .strict(),
  robustness: z
    .object({
      runId,
      kind: z.enum(PERTURBATIONS),
      levels: z.array(z.number().min(0).max(1e6)).min(1).max(64),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1)
        .optional(),
      limit: z.number().int().min(0).max(1e7).optional(),
    })
    .strict(),
  robustnessCurves: z.object({ runIds: z.array(runId).min(1).max(500) }).strict(),
  diagnostics: z.object({ runId }).strict(),
  spectrum: z.object({ runId, step: z.number().int().min(0).optional() }).strict(),
  exportWeights: z
    .object({ runId, format: z.string().min(1).max(32), step: z.number().int().min(0).optional() })
    .strict(),
} satisfies Record<MethodName, z.ZodType>;
