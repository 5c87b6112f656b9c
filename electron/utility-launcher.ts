// A runner Launcher over Electron's utilityProcess.fork (injected), so training runs in its own process in the app.
import fs from 'node:fs';
import type { ForkOptions } from 'electron';
import type { ChildLike, Launcher } from '../core/runner/runner.ts';

type ToRunner = Parameters<ChildLike['send']>[0];
type FromRunner = Parameters<Parameters<ChildLike['onMessage']>[0]>[0];

/** The parts of Electron's UtilityProcess the adapter uses (a fake in the tests). */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  postMessage(message: ToRunner): void;
  kill(): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
}

export type ForkFn = (modulePath: string, args: string[], options: ForkOptions) => UtilityProcessLike;

export interface UtilityLauncherOptions {
  /** Whether a file exists (the compiled .js sibling of the runner module). */
  exists?: (file: string) => boolean;
  /** Signals a process by id: utilityProcess.kill() only terminates gracefully (SIGTERM). */
  killPid?: (pid: number, signal: NodeJS.Signals) => void;
  /** How long a runner that sent its final message may take to exit before it is terminated. */
  exitGraceMs?: number;
}

/**
 * core/runner names its child module by its .ts source; in the app that module is compiled, so the .js next to
 * it is forked (Electron does not strip types).
 */
export function compiledModulePath(modulePath: string, exists: (file: string) => boolean): string {
  if (!modulePath.endsWith('.ts')) return modulePath;
  const js = `${modulePath.slice(0, -'.ts'.length)}.js`;
  return exists(js) ? js : modulePath;
}

/**
 * Adapts utilityProcess to the runner's ChildLike: messages go over postMessage / 'message' (the child reads
 * process.parentPort), a message after exit is dropped, and SIGKILL (the runner's kill after the grace period)
 * is a real SIGKILL by pid, since UtilityProcess.kill() sends SIGTERM, which the runner treats as "stop".
 */
export function utilityLauncher(fork: ForkFn, opts: UtilityLauncherOptions = {}): Launcher {
  const exists = opts.exists ?? fs.existsSync;
  const killPid = opts.killPid ?? ((pid, signal) => process.kill(pid, signal));
  const exitGraceMs = opts.exitGraceMs ?? 10_000;
  return (modulePath, args) => {
    const child = fork(compiledModulePath(modulePath, exists), args, {
      serviceName: 'RNN Workbench runner',
      stdio: 'inherit',
    });
    let exited = false;
    let lingerTimer: NodeJS.Timeout | null = null;
    child.on('exit', () => {
      exited = true;
      if (lingerTimer) clearTimeout(lingerTimer);
    });
    child.on('message', (m) => {
      // The runner exits by itself after 'done'; one that lingers is ended so Workbench.close() cannot hang.
      if ((m as FromRunner | null)?.type === 'done' && !exited)
        lingerTimer ??= setTimeout(() => {
          if (!exited) child.kill();
        }, exitGraceMs);
    });
    return {
      send(message) {
        if (!exited) child.postMessage(message);
      },
      kill(signal) {
        if (exited) return;
        if (signal === 'SIGKILL' && child.pid !== undefined) {
          try {
            killPid(child.pid, 'SIGKILL');
            return;
          } catch {
            // Gone already, or not ours to signal: fall back to Electron's own termination.
          }
        }
        child.kill();
      },
      onMessage(cb) {
        child.on('message', (m) => cb(m as FromRunner));
      },
      onExit(cb) {
        // utilityProcess reports only an exit code; a signal is never named.
        child.on('exit', (code) => cb(code, null));
      },
    };
  };
}
