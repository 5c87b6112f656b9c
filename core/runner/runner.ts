// Host side of a runner: start the child, relay its messages, cancel by message and then by kill.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromRunner, RunnerMode, ToRunner } from './protocol.ts';

/** What a host needs of a child process; Electron's utilityProcess is adapted to this in electron/. */
export interface ChildLike {
  send(message: ToRunner): void;
  kill(signal?: NodeJS.Signals): void;
  onMessage(cb: (message: FromRunner) => void): void;
  onExit(cb: (code: number | null, signal: string | null) => void): void;
}

export type Launcher = (modulePath: string, args: string[]) => ChildLike;

export const CHILD_MODULE = fileURLToPath(new URL('./child-main.ts', import.meta.url));

/** child_process.fork: the runner under plain Node (CLI, server, tests). */
export const forkLauncher: Launcher = (modulePath, args) => {
  // execArgv: [] because fork would otherwise pass the host's own flags on: a host started as `node -e CODE`
  // (or by the test runner) would make every runner run that CODE again, a fork chain without end.
  const child = fork(modulePath, args, { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    send: (m) => {
      if (child.connected) child.send(m);
    },
    kill: (signal) => child.kill(signal),
    onMessage: (cb) => child.on('message', (m) => cb(m as FromRunner)),
    onExit: (cb) => child.on('exit', (code, signal) => cb(code, signal)),
  };
};

export interface RunnerHandle {
  runId: string;
  /** Ask the run to stop (it checkpoints first); kill it if it has not exited after `graceMs`. */
  cancel(graceMs?: number): void;
  /** Resolves when the child has exited: `done` is its final message, null when it died without one. */
  exited: Promise<{
    done: Extract<FromRunner, { type: 'done' }> | null;
    code: number | null;
    signal: string | null;
  }>;
}

export function launchRunner(
  dbPath: string,
  runId: string,
  mode: RunnerMode,
  onMessage: (m: FromRunner) => void,
  launcher: Launcher = forkLauncher,
  /** Extra argv after the mode (the robustness options as JSON). */
  extra: string[] = [],
): RunnerHandle {
  const child = launcher(CHILD_MODULE, [dbPath, runId, mode, ...extra]);
  let done: Extract<FromRunner, { type: 'done' }> | null = null;
  let killTimer: NodeJS.Timeout | null = null;
  child.onMessage((m) => {
    if (m.type === 'done') done = m;
    onMessage(m);
  });
  const exited = new Promise<Awaited<RunnerHandle['exited']>>((resolve) =>
    child.onExit((code, signal) => {
      if (killTimer) clearTimeout(killTimer);
      resolve({ done, code, signal });
    }),
  );
  return {
    runId,
    exited,
    cancel(graceMs = 15000) {
      child.send({ type: 'cancel' });
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), graceMs);
    },
  };
}
