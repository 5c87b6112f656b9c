// A ForkFn over child_process.fork that looks like Electron's utilityProcess to both sides (tests and bench/).
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { ForkFn, UtilityProcessLike } from '../../electron/utility-launcher.ts';

const SHIM = new URL('./parent-port-shim.ts', import.meta.url).href;

/**
 * The child gets `process.parentPort` (parent-port-shim.ts), so child-main takes its utilityProcess path; the
 * handle has postMessage, kill() = SIGTERM and an exit code only, like a UtilityProcess. `killed` records the
 * pids it was asked to kill.
 */
export function shimFork(): { forkFn: ForkFn; killed: number[] } {
  const killed: number[] = [];
  const forkFn: ForkFn = (modulePath, args) => {
    const child = fork(modulePath, args, {
      // Not process.execArgv: under `node -e` that would hand the child the parent's script.
      execArgv: ['--import', SHIM],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const utility = new EventEmitter() as EventEmitter & UtilityProcessLike;
    Object.defineProperty(utility, 'pid', { get: () => (child.exitCode === null ? child.pid : undefined) });
    utility.postMessage = (m) => {
      if (child.connected) child.send(m);
    };
    utility.kill = () => {
      if (child.pid !== undefined) killed.push(child.pid);
      return child.kill('SIGTERM');
    };
    child.on('message', (m) => utility.emit('message', m));
    child.on('exit', (code, signal) => utility.emit('exit', code ?? (signal === 'SIGKILL' ? 137 : 1)));
    return utility;
  };
  return { forkFn, killed };
}
