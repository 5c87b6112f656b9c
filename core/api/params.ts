// Hyper-parameter schemas: one small vocabulary shared by cells, tasks, training and the UI forms.
import { WorkbenchError } from './errors.ts';

/** One hyper-parameter: its type, default, allowed range and a one-line description. */
export type ParamSpec =
  | {
      type: 'number';
      default: number;
      min?: number;
      max?: number;
      /** When true, `min` itself is not allowed (e.g. a learning rate must be > 0). */
      exclusiveMin?: boolean;
      description: string;
    }
  | { type: 'integer'; default: number; min?: number; max?: number; description: string }
  | { type: 'boolean'; default: boolean; description: string }
  | { type: 'enum'; default: string; choices: readonly string[]; description: string };

export type ConfigSchema = Readonly<Record<string, ParamSpec>>;
export type ConfigValue = number | boolean | string;
export type Config = Record<string, ConfigValue>;

/** The defaults of a schema as a config object. */
export function defaultsOf(schema: ConfigSchema): Config {
  const out: Config = {};
  for (const [key, spec] of Object.entries(schema)) out[key] = spec.default;
  return out;
}

/** Why `value` is not allowed for `spec`, or null when it is. */
export function paramProblem(spec: ParamSpec, value: unknown): string | null {
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'enum':
      return typeof value === 'string' && spec.choices.includes(value)
        ? null
        : `must be one of ${spec.choices.join(', ')}`;
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a finite number';
      if (spec.type === 'integer' && !Number.isInteger(value)) return 'must be an integer';
      if (spec.min !== undefined) {
        const exclusive = spec.type === 'number' && spec.exclusiveMin === true;
        if (exclusive ? value <= spec.min : value < spec.min)
          return `must be ${exclusive ? '>' : '≥'} ${spec.min}`;
      }
      if (spec.max !== undefined && value > spec.max) return `must be ≤ ${spec.max}`;
      return null;
    }
  }
}

/** Parse a command-line or form string into the type `spec` expects (validation follows separately). */
export function parseParam(spec: ParamSpec, text: string): ConfigValue {
  switch (spec.type) {
    case 'boolean':
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      return text;
    case 'enum':
      return text;
    case 'number':
    case 'integer': {
      const trimmed = text.trim();
      const n = trimmed === '' ? NaN : Number(trimmed);
      return Number.isNaN(n) ? text : n;
    }
  }
}

/**
 * Merge `overrides` onto the schema defaults and validate every value.
 * Throws `invalid_config` naming each bad key; unknown keys are refused too.
 */
export function resolveConfig(
  schema: ConfigSchema,
  overrides: Readonly<Record<string, unknown>>,
  what: string,
): Config {
  const out = defaultsOf(schema);
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    const spec = schema[key];
    if (!spec) {
      problems.push(`${what}: unknown key '${key}' (known: ${Object.keys(schema).join(', ') || 'none'})`);
      continue;
    }
    const problem = paramProblem(spec, value);
    if (problem) problems.push(`${what}.${key} = ${JSON.stringify(value)}: ${problem}`);
    else out[key] = value as ConfigValue;
  }
  if (problems.length > 0) throw new WorkbenchError('invalid_config', problems.join('; '));
  return out;
}
