// The Runs table's logic: which runs pass the filters, their order, and the few hyper-parameters worth a column.
import type { RunSummary } from '../../../core/api/contract.ts';
import type { RunRecord, RunStatus } from '../../../core/api/types.ts';

export interface RunFilters {
  text: string;
  status: RunStatus | '';
  arch: string;
  task: string;
  /** `key` (has the tag) or `key=value`. */
  tag: string;
}

export type SortKey =
  'created' | 'id' | 'arch' | 'task' | 'status' | 'best' | 'last' | 'step' | 'time' | 'backend';

export const EMPTY_FILTERS: RunFilters = { text: '', status: '', arch: '', task: '', tag: '' };

/** Hyper-parameters shown in the table when a run has them (the rest is one click away). */
const KEY_PARAMS: [string, (r: RunRecord) => unknown][] = [
  ['units', (r) => r.spec.archConfig['units']],
  ['T', (r) => r.spec.taskConfig['seqLen']],
  ['lr', (r) => r.spec.trainConfig['lr']],
  ['batch', (r) => r.spec.trainConfig['batchSize']],
  ['seed', (r) => r.spec.seed],
];

export function keyParams(run: RunRecord): string {
  return KEY_PARAMS.filter(([, get]) => get(run) !== undefined)
    .map(([name, get]) => `${name}=${String(get(run))}`)
    .join(' ');
}

/** Running time: start to end, or to now while it runs. */
export function runTime(run: RunRecord, now: number): number | null {
  if (run.startedAt === null) return null;
  return (run.endedAt ?? (run.status === 'running' ? now : run.startedAt)) - run.startedAt;
}

export function tagText(tags: Record<string, string>): string[] {
  return Object.entries(tags).map(([k, v]) => (v === '' ? k : `${k}=${v}`));
}

export function filterRuns(runs: readonly RunRecord[], f: RunFilters): RunRecord[] {
  const text = f.text.trim().toLowerCase();
  const [tagKey = '', tagValue] = f.tag.split('=', 2);
  return runs.filter((r) => {
    if (f.status && r.status !== f.status) return false;
    if (f.arch && r.spec.arch !== f.arch) return false;
    if (f.task && r.spec.task !== f.task) return false;
    if (tagKey && (!Object.hasOwn(r.tags, tagKey) || (tagValue !== undefined && r.tags[tagKey] !== tagValue)))
      return false;
    if (!text) return true;
    const hay = [
      r.id,
      r.spec.arch,
      r.spec.task,
      r.status,
      r.note,
      r.env?.backend ?? '',
      keyParams(r),
      ...tagText(r.tags),
    ]
      .join(' ')
      .toLowerCase();
    return text.split(/\s+/).every((word) => hay.includes(word));
  });
}

/** Nulls (nothing measured yet) sort last whatever the direction. */
export function sortRuns(
  runs: readonly RunRecord[],
  key: SortKey,
  dir: 1 | -1,
  summaries: Record<string, RunSummary>,
  now: number,
): RunRecord[] {
  const value = (r: RunRecord): string | number | null => {
    switch (key) {
      case 'created':
        return r.createdAt;
      case 'id':
        return r.id;
      case 'arch':
        return r.spec.arch;
      case 'task':
        return r.spec.task;
      case 'status':
        return r.status;
      case 'best':
        return summaries[r.id]?.best ?? null;
      case 'last':
        return summaries[r.id]?.last ?? null;
      case 'step':
        return r.step;
      case 'time':
        return runTime(r, now);
      case 'backend':
        return r.env?.backend ?? null;
    }
  };
  return runs
    .map((r) => ({ r, v: value(r) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null || Number.isNaN(a.v) || Number.isNaN(b.v))
        return a.v === null || Number.isNaN(a.v) ? (b.v === null ? 0 : 1) : -1;
      return (a.v < b.v ? -1 : a.v > b.v ? 1 : 0) * dir;
    })
    .map(({ r }) => r);
}

/** Every tag of every run as a filter choice (`key` and each `key=value`). */
export function tagChoices(runs: readonly RunRecord[]): string[] {
  const out = new Set<string>();
  for (const r of runs)
    for (const [k, v] of Object.entries(r.tags)) {
      out.add(k);
      if (v !== '') out.add(`${k}=${v}`);
    }
  return [...out].sort();
}
