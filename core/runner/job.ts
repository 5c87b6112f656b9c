// One training run from start (or its last checkpoint) to a final status, writing everything to the store.
import os from 'node:os';
import { toErrorData } from '../api/errors.ts';
import type { RunEvent, RunStatus } from '../api/types.ts';
import { DIAGNOSTIC, isEvalKey } from '../api/types.ts';
import { selectBackend } from '../engine/backend.ts';
import type { Store } from '../storage/db.ts';
import { decodeCheckpoint } from '../training/checkpoint.ts';
import { train } from '../training/loop.ts';
import type { RunnerMode } from './protocol.ts';

/** Buffered metric points are written at least this often (and at every evaluation and checkpoint). */
const FLUSH_POINTS = 200;
const FLUSH_MS = 2000;

export interface JobResult {
  status: RunStatus;
  error: string | null;
}

/**
 * Claim the run, pick its backend, train, and commit metrics in batches: each checkpoint is committed in the
 * same transaction as the metrics up to its step, so a kill at any moment leaves a consistent database.
 */
export async function runJob(
  store: Store,
  runId: string,
  mode: RunnerMode,
  emit: (e: RunEvent) => void,
  cancelled: () => boolean,
): Promise<JobResult> {
  store.claimRun(runId, { pid: process.pid, host: os.hostname(), now: Date.now() });
  emit({ type: 'status', runId, status: 'running' });
  const pending: { key: string; step: number; value: number; wallMs: number }[] = [];
  let lastFlush = Date.now();
  const flush = (checkpoint?: { step: number; data: Uint8Array }) => {
    const now = Date.now();
    store.commitProgress(runId, {
      metrics: pending.splice(0),
      now,
      ...(checkpoint ? { checkpoint: { ...checkpoint, now } } : {}),
    });
    lastFlush = now;
  };
  let result: JobResult;
  try {
    const run = store.getRun(runId);
    let checkpoint = null;
    if (mode === 'resume') {
      const saved = store.latestCheckpoint(runId);
      checkpoint = saved
        ? decodeCheckpoint(saved.data, `checkpoint of run ${runId} at step ${saved.step}`)
        : null;
      // The curve continues from the checkpoint: points recorded after it (before the interruption) are redone.
      store.truncateAfter(runId, checkpoint ? checkpoint.step : -1);
    }
    const env = await selectBackend(run.spec.backend);
    const stopRequested = () => cancelled() || store.isStopRequested(runId);
    result = { status: 'failed', error: 'training ended without a status' };
    for await (const ev of train({ spec: run.spec, checkpoint, shouldStop: stopRequested })) {
      if (ev.type === 'ready') {
        // The fused engine replaces the TF.js backend for the sequence: the record says so ('fused-wasm').
        const runEnv = ev.engine ? { ...env, ...ev.engine } : env;
        store.setRunEnv(runId, runEnv, ev.paramCount);
        emit({ type: 'env', runId, env: runEnv, paramCount: ev.paramCount });
      } else if (ev.type === 'metrics') {
        for (const [key, value] of Object.entries(ev.values))
          pending.push({ key, step: ev.step, value, wallMs: ev.wallMs });
        emit({ type: 'metrics', runId, step: ev.step, wallMs: ev.wallMs, values: ev.values });
        const evalStep = Object.keys(ev.values).some(isEvalKey);
        if (evalStep || pending.length >= FLUSH_POINTS || Date.now() - lastFlush >= FLUSH_MS) flush();
      } else if (ev.type === 'diagnostics') {
        store.recordDiagnostics(runId, [
          { kind: DIAGNOSTIC.gradNorms, step: ev.step, values: ev.gradNorms, wallMs: ev.wallMs },
          { kind: DIAGNOSTIC.stateNorms, step: ev.step, values: ev.stateNorms, wallMs: ev.wallMs },
        ]);
        emit({ type: 'diagnostics', runId, step: ev.step });
      } else if (ev.type === 'checkpoint') {
        flush({ step: ev.step, data: ev.data });
        emit({ type: 'checkpoint', runId, step: ev.step });
      } else {
        flush();
        result = { status: ev.status, error: ev.error ?? null };
      }
    }
  } catch (err) {
    try {
      if (pending.length > 0) flush();
    } catch {
      // The store itself failed (full disk, I/O error): what was committed before stays intact.
    }
    result = { status: 'failed', error: toErrorData(err).message };
  }
  store.finishRun(runId, result.status, result.error, Date.now());
  emit({ type: 'status', runId, status: result.status, error: result.error ?? undefined });
  return result;
}
