// A robustness evaluation of a stored run, in a runner process: latest checkpoint → perturbed test accuracy → store.
import type { RobustnessInput } from '../api/contract.ts';
import { WorkbenchError } from '../api/errors.ts';
import { selectBackend } from '../engine/backend.ts';
import type { Store } from '../storage/db.ts';
import { decodeCheckpoint } from '../training/checkpoint.ts';
import { evaluateRobustness } from '../training/robustness.ts';

/** Evaluates run `runId` under `opts` and stores the curve (replacing that kind's earlier curve). */
export async function runRobustnessJob(store: Store, runId: string, opts: RobustnessInput): Promise<void> {
  const run = store.getRun(runId);
  const saved = store.latestCheckpoint(runId);
  if (!saved)
    throw new WorkbenchError('conflict', `run ${runId} has no checkpoint yet: nothing trained to evaluate`);
  const ckpt = decodeCheckpoint(saved.data, `checkpoint of run ${runId} at step ${saved.step}`);
  await selectBackend(run.spec.backend);
  const evalBatch = Number(run.spec.trainConfig['evalBatchSize'] ?? 500);
  const seed = opts.seed ?? 0;
  const { examples, points } = await evaluateRobustness(run.spec, ckpt.weights, {
    kind: opts.kind,
    levels: opts.levels,
    seed,
    limit: opts.limit ?? 0,
    batchSize: evalBatch,
  });
  store.saveRobustness({
    runId,
    kind: opts.kind,
    step: ckpt.step,
    seed,
    examples,
    createdAt: Date.now(),
    points,
  });
}
