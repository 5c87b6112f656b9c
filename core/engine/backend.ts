// Backend selection: tfjs-node-gpu (when it finds a GPU) > tfjs-node > wasm > pure-JS cpu; `--backend` forces one.
import * as tf from './tf.ts';
import os from 'node:os';
import { createRequire } from 'node:module';
import { WorkbenchError } from '../api/errors.ts';
import type { RunEnvironment } from '../api/types.ts';

export const BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export const BACKEND_CHOICES = ['auto', ...BACKEND_NAMES] as const;

const require = createRequire(import.meta.url);

/** Version of an installed package, or null when it is absent. */
function packageVersion(name: string): string | null {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

/** The native backend's object, as far as we read it (tfjs-node exposes whether it runs on a GPU). */
interface NodeBackendLike {
  isUsingGpuDevice?: boolean;
}

/** Try to make `name` the active TF.js backend; returns the device description, or a reason it failed. */
async function tryBackend(
  name: BackendName,
): Promise<{ ok: true; device: string } | { ok: false; why: string }> {
  try {
    if (name === 'node-gpu' || name === 'node') {
      const pkg = name === 'node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      if (packageVersion(pkg) === null) return { ok: false, why: `${pkg} is not installed` };
      await import(pkg);
      if (!(await tf.setBackend('tensorflow')))
        return { ok: false, why: `${pkg} loaded but its backend did not start` };
      const usesGpu = (tf.backend() as unknown as NodeBackendLike).isUsingGpuDevice === true;
      if (name === 'node-gpu' && !usesGpu)
        return { ok: false, why: 'tfjs-node-gpu found no usable GPU (CUDA/cuDNN)' };
      return { ok: true, device: usesGpu ? 'gpu (CUDA)' : `cpu (libtensorflow, ${os.cpus().length} cores)` };
    }
    if (name === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
      if (!(await tf.setBackend('wasm'))) return { ok: false, why: 'the wasm backend did not start' };
      const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
      return { ok: true, device: `cpu (WebAssembly${simd ? ' SIMD' : ''}, 1 thread)` };
    }
    // the cpu backend comes with ./tf.ts
    if (!(await tf.setBackend('cpu'))) return { ok: false, why: 'the cpu backend did not start' };
    return { ok: true, device: 'cpu (pure JavaScript)' };
  } catch (err) {
    return { ok: false, why: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  }
}

/**
 * Select and initialise a backend. `auto` walks node-gpu > node > wasm > cpu and takes the first that
 * starts; a named backend that fails is an error (the user asked for it).
 */
export async function selectBackend(requested: string): Promise<RunEnvironment> {
  const order: readonly BackendName[] =
    requested === 'auto' ? BACKEND_NAMES : BACKEND_NAMES.filter((b) => b === requested);
  if (order.length === 0)
    throw new WorkbenchError(
      'invalid_input',
      `unknown backend '${requested}' (choose one of ${BACKEND_CHOICES.join(', ')})`,
    );
  const reasons: string[] = [];
  for (const name of order) {
    const r = await tryBackend(name);
    if (r.ok) {
      await tf.ready();
      return { backend: name, device: r.device, versions: libraryVersions(), host: os.hostname() };
    }
    reasons.push(`${name}: ${r.why}`);
  }
  throw new WorkbenchError('backend_unavailable', `no backend could start (${reasons.join('; ')})`);
}

/** Versions of the libraries a run's numbers depend on. */
export function libraryVersions(): Record<string, string> {
  const out: Record<string, string> = {
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
  };
  for (const pkg of [
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
  ]) {
    const v = packageVersion(pkg);
    if (v !== null) out[pkg] = v;
  }
  out['rnn-workbench'] = (require('../../package.json') as { version: string }).version;
  return out;
}
