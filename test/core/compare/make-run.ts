// A RunRecord for the compare tests: lstm on adding with small defaults, every field overridable.
import type { Config } from '../../../core/api/params.ts';
import type { MetricPoint, RunRecord, RunSpec } from '../../../core/api/types.ts';

export function makeRun(
  id: string,
  spec: Partial<RunSpec> = {},
  rest: Partial<Omit<RunRecord, 'spec'>> = {},
): RunRecord {
  const archConfig: Config = spec.archConfig ?? { units: 8, forgetBias: 0 };
  return {
    id,
    experiment: 'default',
    spec: {
      arch: 'lstm',
      task: 'adding',
      seed: 1,
      steps: 100,
      archConfig,
      taskConfig: { seqLen: 10 },
      trainConfig: { lr: 0.001, batchSize: 8 },
      backend: 'cpu',
      ...spec,
    },
    status: 'completed',
    createdAt: 0,
    startedAt: 0,
    endedAt: 1,
    step: 100,
    env: null,
    paramCount: 42,
    baseline: 1 / 6,
    error: null,
    tags: {},
    note: '',
    latest: {},
    ...rest,
  };
}

/** Points at steps 0, 1, 2… with the given values (wall time = step). */
export function points(values: readonly number[], firstStep = 0): MetricPoint[] {
  return values.map((value, i) => ({ step: firstStep + i, value, wallMs: firstStep + i }));
}
