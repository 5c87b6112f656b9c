// Legend names: each run named by the fewest differing config keys that tell it apart from the others.
import type { RunRecord } from '../api/types.ts';
import { configTable, formatValue, type ConfigRow } from './config-diff.ts';

/** Which keys name runs first: what was compared is usually the architecture, then its settings, then the seed. */
const PRIORITY = ['arch', 'task', 'arch.', 'task.', 'train.', 'seed', 'steps', 'backend'];

function rank(key: string): number {
  const i = PRIORITY.findIndex((p) => (p.endsWith('.') ? key.startsWith(p) : key === p));
  return i < 0 ? PRIORITY.length : i;
}

/**
 * One label per run, e.g. "arch=lstm" and "arch=cornn". Keys are taken greedily in PRIORITY order and a key
 * is kept only when it splits runs that the keys kept so far leave equal, so settings implied by a different
 * architecture (its own hyper-parameters, its training defaults) stay out of the legend. Runs with identical
 * configs are told apart by their id; a single run is named by its architecture, task and id.
 */
export function legendNames(runs: readonly RunRecord[]): string[] {
  const rows = configTable(runs)
    .filter((r) => r.differs)
    .sort((a, b) => rank(a.key) - rank(b.key));
  const chosen: ConfigRow[] = [];
  const signature = (i: number, with_: readonly ConfigRow[]) =>
    JSON.stringify(with_.map((r) => formatValue(r.values[i])));
  const groupsCount = (with_: readonly ConfigRow[]) => new Set(runs.map((_, i) => signature(i, with_))).size;
  for (const row of rows) {
    if (groupsCount(chosen) === runs.length) break;
    if (groupsCount([...chosen, row]) > groupsCount(chosen)) chosen.push(row);
  }
  const labels = runs.map((run, i) =>
    chosen.length === 0
      ? `${run.spec.arch} on ${run.spec.task}`
      : chosen.map((r) => `${r.key}=${formatValue(r.values[i])}`).join(', '),
  );
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return labels.map((l, i) =>
    counts.get(l)! > 1 || runs.length === 1 ? `${l} #${runs[i]!.id.slice(0, 6)}` : l,
  );
}
