// Entry point of a runner process: argv [dbPath, runId, mode]; talks to its parent over the IPC channel.
import { openStore } from '../storage/db.ts';
import { runJob } from './job.ts';
import type { FromRunner, RunnerMode, ToRunner } from './protocol.ts';

const [dbPath, runId, mode] = process.argv.slice(2) as [string, string, RunnerMode];
let cancelled = false;
const send = (m: FromRunner) => {
  if (process.connected) process.send?.(m);
};
process.on('message', (m: ToRunner) => {
  if (m.type === 'cancel') cancelled = true;
});
// The host went away (closed window, killed CLI): stop cleanly with a checkpoint rather than train unwatched.
process.on('disconnect', () => (cancelled = true));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => (cancelled = true));

const store = openStore(dbPath);
const result = await runJob(
  store,
  runId,
  mode,
  (event) => send({ type: 'event', event }),
  () => cancelled,
);
store.close();
send({ type: 'done', status: result.status, error: result.error });
process.disconnect?.();
process.exitCode = result.status === 'failed' ? 1 : 0;
