// Messages between a run's host process and its runner child (child_process.fork or Electron utilityProcess).
import type { RunEvent, RunStatus } from '../api/types.ts';

/** How the child is told what to do: argv [dbPath, runId, mode] (+ JSON options for 'robustness'). */
export type RunnerMode = 'start' | 'resume' | 'robustness';

export type ToRunner = { type: 'cancel' };
export type FromRunner =
  { type: 'event'; event: RunEvent } | { type: 'done'; status: RunStatus; error: string | null };

/** Terminal statuses: a run in one of these has no live runner. */
export const FINAL_STATUSES: readonly RunStatus[] = [
  'completed',
  'stopped',
  'diverged',
  'failed',
  'interrupted',
];
