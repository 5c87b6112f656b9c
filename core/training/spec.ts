// Resolve what a user asked for (arch, task, `--set key=value`) into a complete, validated RunSpec.
import type { StartRunInput } from '../api/contract.ts';
import { WorkbenchError } from '../api/errors.ts';
import { defaultsOf, parseParam, resolveConfig, type ConfigSchema } from '../api/params.ts';
import type { RunSpec } from '../api/types.ts';
import { BACKEND_CHOICES } from '../engine/backend.ts';
import { getCell } from '../models/registry.ts';
import { getTask } from '../tasks/registry.ts';
import { TRAIN_SCHEMA } from './config.ts';

export const DEFAULT_STEPS = 1000;

/**
 * `set` keys are flat (`seqLen`) or prefixed (`task.seqLen`, `arch.units`, `train.lr`); a flat key must name
 * exactly one of the three schemas. String values are parsed by the key's type, then every value is range-checked.
 */
export function resolveRunSpec(input: StartRunInput, randomSeed: () => number): RunSpec {
  const cell = getCell(input.arch);
  const task = getTask(input.task);
  const schemas: Record<'arch' | 'task' | 'train', ConfigSchema> = {
    arch: cell.config,
    task: task.config,
    train: TRAIN_SCHEMA,
  };
  const overrides: Record<'arch' | 'task' | 'train', Record<string, unknown>> = {
    arch: {},
    task: {},
    train: { ...cell.trainDefaults },
  };
  const problems: string[] = [];
  for (const [rawKey, rawValue] of Object.entries(input.set ?? {})) {
    const dot = rawKey.indexOf('.');
    const prefix = dot > 0 ? rawKey.slice(0, dot) : null;
    let where: ('arch' | 'task' | 'train')[];
    let key = rawKey;
    if (prefix === 'arch' || prefix === 'task' || prefix === 'train') {
      where = [prefix];
      key = rawKey.slice(dot + 1);
    } else where = (['task', 'arch', 'train'] as const).filter((w) => key in schemas[w]);
    if (where.length === 0 || !(key in schemas[where[0]!])) {
      problems.push(
        `unknown setting '${rawKey}' for ${cell.name} on ${task.name} (see \`rnnwb archs\`, \`rnnwb tasks\`)`,
      );
      continue;
    }
    if (where.length > 1) {
      problems.push(`'${rawKey}' is ambiguous: write ${where.map((w) => `${w}.${key}`).join(' or ')}`);
      continue;
    }
    const spec = schemas[where[0]!][key]!;
    overrides[where[0]!][key] = typeof rawValue === 'string' ? parseParam(spec, rawValue) : rawValue;
  }
  if (problems.length > 0) throw new WorkbenchError('invalid_config', problems.join('; '));
  const backend = input.backend ?? 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(backend))
    throw new WorkbenchError(
      'invalid_input',
      `unknown backend '${backend}' (choose one of ${BACKEND_CHOICES.join(', ')})`,
    );
  return {
    arch: cell.name,
    task: task.name,
    seed: input.seed ?? randomSeed(),
    steps: input.steps ?? DEFAULT_STEPS,
    archConfig: resolveConfig(cell.config, overrides.arch, 'arch'),
    taskConfig: resolveConfig(task.config, overrides.task, 'task'),
    trainConfig: resolveConfig(TRAIN_SCHEMA, overrides.train, 'train'),
    backend,
  };
}

/** The training defaults an architecture runs with: TRAIN_SCHEMA's, overlaid with the cell's own. */
export function trainDefaultsFor(arch: string): Record<string, unknown> {
  return { ...defaultsOf(TRAIN_SCHEMA), ...getCell(arch).trainDefaults };
}
