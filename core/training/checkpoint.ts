// Checkpoints: weights, optimizer state, RNG states and step, as one safetensors blob (readable by any reader).
import type { RngState } from '../engine/rng.ts';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../engine/safetensors.ts';
import type { OptimizerState } from './optimizers.ts';

export interface Checkpoint {
  /** Training steps completed. */
  step: number;
  weights: Record<string, NamedTensor>;
  /** One state per optimizer group ('default', 'orthogonal'). */
  optimizers: Record<string, OptimizerState>;
  /** States of the run's RNG streams (data, noise). */
  rng: Record<string, RngState>;
}

/** Tensor names: `weight/<name>`, `opt/<group>/<slot>/<name>`; step, optimizer steps and RNG states in metadata. */
export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const tensors: Record<string, NamedTensor> = {};
  for (const [name, t] of Object.entries(c.weights)) tensors[`weight/${name}`] = t;
  const optSteps: Record<string, number> = {};
  for (const [group, s] of Object.entries(c.optimizers)) {
    optSteps[group] = s.t;
    for (const [slot, t] of Object.entries(s.slots)) tensors[`opt/${group}/${slot}`] = t;
  }
  return encodeSafetensors(tensors, {
    format: 'rnn-workbench-checkpoint-1',
    step: String(c.step),
    optimizer_steps: JSON.stringify(optSteps),
    rng: JSON.stringify(c.rng),
  });
}

export function decodeCheckpoint(bytes: Uint8Array, what: string): Checkpoint {
  const { tensors, metadata } = decodeSafetensors(bytes, what);
  if (metadata['format'] !== 'rnn-workbench-checkpoint-1')
    throw new Error(`${what}: not a workbench checkpoint`);
  const optSteps = JSON.parse(metadata['optimizer_steps'] ?? '{}') as Record<string, number>;
  const c: Checkpoint = {
    step: Number(metadata['step']),
    weights: {},
    optimizers: {},
    rng: JSON.parse(metadata['rng'] ?? '{}') as Record<string, RngState>,
  };
  for (const [group, t] of Object.entries(optSteps)) c.optimizers[group] = { t, slots: {} };
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith('weight/')) c.weights[name.slice('weight/'.length)] = t;
    else if (name.startsWith('opt/')) {
      const [, group, ...rest] = name.split('/');
      c.optimizers[group!]!.slots[rest.join('/')] = t;
    }
  }
  return c;
}
