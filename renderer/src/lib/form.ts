// Form fields for hyper-parameters: text as typed, parsed and checked with the core's own validator.
import { paramProblem, parseParam, type ConfigValue, type ParamSpec } from '../../../core/api/params.ts';

/** A field as the form holds it: text for numbers and choices, a boolean for a checkbox. */
export type FieldValue = string | boolean;

export function fieldOf(v: ConfigValue): FieldValue {
  return typeof v === 'boolean' ? v : String(v);
}

export function parseField(spec: ParamSpec, v: FieldValue): ConfigValue {
  return typeof v === 'boolean' ? v : parseParam(spec, v);
}

/** Why the field's value is not allowed (the same words the core would refuse it with), or null. */
export function fieldProblem(spec: ParamSpec, v: FieldValue): string | null {
  return paramProblem(spec, parseField(spec, v));
}

/** The allowed range in words, e.g. "integer, 1 … 4096" or "> 0, ≤ 10". */
export function rangeText(spec: ParamSpec): string {
  switch (spec.type) {
    case 'boolean':
      return 'true or false';
    case 'enum':
      return spec.choices.join(' | ');
    case 'integer':
    case 'number': {
      const kind = spec.type === 'integer' ? 'integer' : 'number';
      const exclusive = spec.type === 'number' && spec.exclusiveMin === true;
      const lo = spec.min === undefined ? null : `${exclusive ? '>' : '≥'} ${spec.min}`;
      const hi = spec.max === undefined ? null : `≤ ${spec.max}`;
      return [kind, lo, hi].filter((s) => s !== null).join(', ');
    }
  }
}

/** A whole-number field outside the schemas (seed, steps); `blankOk` lets it be empty (a random seed). */
export function integerProblem(text: string, min: number, max: number, blankOk: boolean): string | null {
  if (text.trim() === '') return blankOk ? null : 'required';
  const spec: ParamSpec = { type: 'integer', default: min, min, max, description: '' };
  return paramProblem(spec, parseParam(spec, text));
}
