// Config diff: every run's spec flattened to `key = value`, and which keys differ between the runs.
import type { ConfigValue } from '../api/params.ts';
import type { RunRecord, RunSpec } from '../api/types.ts';

/** A run's spec as one flat map: arch, task, seed, steps, backend, then `arch.<k>`, `task.<k>`, `train.<k>`. */
export function flattenSpec(spec: RunSpec): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {
    arch: spec.arch,
    task: spec.task,
    seed: spec.seed,
    steps: spec.steps,
    backend: spec.backend,
  };
  for (const [prefix, config] of [
    ['arch', spec.archConfig],
    ['task', spec.taskConfig],
    ['train', spec.trainConfig],
  ] as const)
    for (const [k, v] of Object.entries(config)) out[`${prefix}.${k}`] = v;
  return out;
}

/** One key of the config table: its value in each run (undefined where the run has no such key). */
export interface ConfigRow {
  key: string;
  values: (ConfigValue | undefined)[];
  /** True when not every run has the same value (a key missing from some runs differs). */
  differs: boolean;
}

/** The union of the runs' keys, in first-seen order, each with its values per run and whether they differ. */
export function configTable(runs: readonly RunRecord[]): ConfigRow[] {
  const flat = runs.map((r) => flattenSpec(r.spec));
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const f of flat)
    for (const k of Object.keys(f))
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
  return keys.map((key) => {
    const values = flat.map((f) => (Object.hasOwn(f, key) ? f[key] : undefined));
    const first = values[0];
    return { key, values, differs: values.some((v) => !Object.is(v, first)) };
  });
}

/** The keys whose values are not the same in every run, in table order. */
export function differingKeys(runs: readonly RunRecord[]): string[] {
  return configTable(runs)
    .filter((r) => r.differs)
    .map((r) => r.key);
}

/** A config value as the tables and legends print it (strings bare, numbers in full, missing as —). */
export function formatValue(v: ConfigValue | undefined): string {
  return v === undefined ? '—' : String(v);
}
