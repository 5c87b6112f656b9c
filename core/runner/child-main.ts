// Entry point of a runner process: argv [dbPath, runId, mode, options?]; talks to its parent by IPC (fork) or parentPort.
import type { RobustnessInput } from '../api/contract.ts';
import { toErrorData } from '../api/errors.ts';
import type { RunStatus } from '../api/types.ts';
import { openStore } from '../storage/db.ts';
import { runJob } from './job.ts';
import { runRobustnessJob } from './robustness-job.ts';
import type { FromRunner, RunnerMode, ToRunner } from './protocol.ts';

/** Electron's utilityProcess gives its child `process.parentPort` instead of process.send / 'message'. */
interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: FromRunner): void;
}
const parentPort = (process as { parentPort?: ParentPort }).parentPort;

const [dbPath, runId, mode, options] = process.argv.slice(2) as [string, string, RunnerMode, string?];
let cancelled = false;
const onMessage = (m: ToRunner) => {
  if (m.type === 'cancel') cancelled = true;
};
const send = (m: FromRunner) => {
  if (parentPort) parentPort.postMessage(m);
  else if (process.connected) process.send?.(m);
};
if (parentPort) parentPort.on('message', (e) => onMessage(e.data as ToRunner));
else {
  process.on('message', onMessage);
  // The host went away (closed window, killed CLI): stop cleanly with a checkpoint rather than train unwatched.
  process.on('disconnect', () => (cancelled = true));
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => (cancelled = true));

const store = openStore(dbPath);
let result: { status: RunStatus; error: string | null };
if (mode === 'robustness') {
  // An evaluation of a finished run: it changes no run status; its outcome travels in the final message.
  try {
    await runRobustnessJob(store, runId, JSON.parse(options ?? '{}') as RobustnessInput);
    result = { status: 'completed', error: null };
  } catch (err) {
    const e = toErrorData(err);
    result = { status: 'failed', error: `${e.code}: ${e.message}` };
  }
} else
  result = await runJob(
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
// A utility process does not exit when its work is done (electron/electron#47228): exit explicitly, a moment
// after the last message so that it leaves the port first.
if (parentPort) setTimeout(() => process.exit(), 200);
