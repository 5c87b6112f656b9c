// Run rows: create, read, list and resolve ids, tags, notes and deletion (ownership is in run-lifecycle.ts).
import { WorkbenchError } from '../api/errors.ts';
import type { Config } from '../api/params.ts';
import { RUN_STATUSES } from '../api/types.ts';
import type { MetricPoint, RunEnvironment, RunRecord, RunSpec, RunStatus } from '../api/types.ts';
import { decodeValue } from './metric-values.ts';
import { inWriteTransaction, namedStmt, stmt } from './statements.ts';
import type { Db, SqlValue } from './statements.ts';

export interface NewRun {
  id: string;
  experiment: string;
  spec: RunSpec;
  baseline: number | null;
  createdAt: number;
}

export interface RunFilter {
  status?: RunStatus | undefined;
  arch?: string | undefined;
  task?: string | undefined;
}

interface RunRow {
  id: string;
  experiment: string;
  spec: string;
  status: RunStatus;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  step: number;
  env: string | null;
  param_count: number | null;
  baseline: number | null;
  error: string | null;
}

const RUN_SELECT = `SELECT r.id, e.name AS experiment, r.spec, r.status, r.created_at, r.started_at, r.ended_at,
  r.step, r.env, r.param_count, r.baseline, r.error
  FROM runs r JOIN experiments e ON e.id = r.experiment_id`;

export function notFound(id: string): WorkbenchError {
  return new WorkbenchError('not_found', `no run '${id}'`);
}

/** Throws not_found unless run `id` exists. */
export function requireRun(db: Db, id: string): void {
  if (stmt(db, 'SELECT 1 FROM runs WHERE id = ?').get(id) === undefined) throw notFound(id);
}

/** Runs an UPDATE/DELETE on one run, throwing not_found when it touched no row. */
export function changeRun(db: Db, id: string, sql: string, ...params: SqlValue[]): void {
  if (stmt(db, sql).run(...params).changes === 0) throw notFound(id);
}

export function nonNegativeInteger(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new WorkbenchError('invalid_input', `${what} must be an integer ≥ 0, got ${n}`);
}

/** The params of a spec, flattened MLflow-style to `arch.<k>`, `task.<k>`, `train.<k>`, seed, steps, backend. */
export function flattenParams(spec: RunSpec): [string, string][] {
  const prefixed = (prefix: string, config: Config): [string, string][] =>
    Object.entries(config).map(([k, v]) => [`${prefix}.${k}`, JSON.stringify(v)]);
  return [
    ...prefixed('arch', spec.archConfig),
    ...prefixed('task', spec.taskConfig),
    ...prefixed('train', spec.trainConfig),
    ['seed', JSON.stringify(spec.seed)],
    ['steps', JSON.stringify(spec.steps)],
    ['backend', JSON.stringify(spec.backend)],
    // What a real-data run trained on, exactly: the dataset and the hash its files had.
    ...(spec.dataset
      ? ([
          ['dataset.id', JSON.stringify(spec.dataset.id)],
          ['dataset.name', JSON.stringify(spec.dataset.name)],
          ['dataset.sha256', JSON.stringify(spec.dataset.sha256)],
          ['dataset.source', JSON.stringify(spec.dataset.source)],
        ] as [string, string][])
      : []),
    ...(spec.epochs !== undefined ? ([['epochs', JSON.stringify(spec.epochs)]] as [string, string][]) : []),
  ];
}

/** Creates a queued run (and its experiment when new) with its write-once params, in one transaction. */
export function createRun(db: Db, r: NewRun): void {
  if (r.id === '') throw new WorkbenchError('invalid_input', 'a run id must not be empty');
  if (r.experiment === '') throw new WorkbenchError('invalid_input', 'an experiment name must not be empty');
  nonNegativeInteger('seed', r.spec.seed);
  nonNegativeInteger('steps', r.spec.steps);
  inWriteTransaction(db, () => {
    if (stmt(db, 'SELECT 1 FROM runs WHERE id = ?').get(r.id) !== undefined)
      throw new WorkbenchError('conflict', `run '${r.id}' already exists`);
    stmt(db, 'INSERT INTO experiments (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(
      r.experiment,
      r.createdAt,
    );
    const exp = stmt<{ id: number }>(db, 'SELECT id FROM experiments WHERE name = ?').get(r.experiment);
    if (!exp)
      throw new WorkbenchError(
        'internal',
        `experiment '${r.experiment}' vanished while creating run '${r.id}'`,
      );
    stmt(
      db,
      `INSERT INTO runs (id, experiment_id, arch, task, status, seed, steps, spec, created_at, baseline)
       VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)`,
    ).run(
      r.id,
      exp.id,
      r.spec.arch,
      r.spec.task,
      r.spec.seed,
      r.spec.steps,
      JSON.stringify(r.spec),
      r.createdAt,
      r.baseline,
    );
    const insertParam = stmt(db, 'INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)');
    for (const [key, value] of flattenParams(r.spec)) insertParam.run(r.id, key, value);
  });
}

function toRecord(db: Db, row: RunRow): RunRecord {
  const tags: Record<string, string> = {};
  for (const t of stmt<{ key: string; value: string }>(
    db,
    'SELECT key, value FROM tags WHERE run_id = ? ORDER BY key',
  ).all(row.id))
    tags[t.key] = t.value;
  const note = stmt<{ body: string }>(db, 'SELECT body FROM notes WHERE run_id = ?').get(row.id)?.body ?? '';
  const latest: Record<string, MetricPoint> = {};
  const latestRows = stmt<{
    key: string;
    step: number;
    value: number | null;
    nonfinite: string | null;
    wall_ms: number;
  }>(db, 'SELECT key, step, value, nonfinite, wall_ms FROM latest_metrics WHERE run_id = ? ORDER BY key').all(
    row.id,
  );
  for (const m of latestRows)
    latest[m.key] = { step: m.step, value: decodeValue(m.value, m.nonfinite), wallMs: m.wall_ms };
  return {
    id: row.id,
    experiment: row.experiment,
    spec: JSON.parse(row.spec) as RunSpec,
    status: row.status,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    step: row.step,
    env: row.env === null ? null : (JSON.parse(row.env) as RunEnvironment),
    paramCount: row.param_count,
    baseline: row.baseline,
    error: row.error,
    tags,
    note,
    latest,
  };
}

export function getRun(db: Db, id: string): RunRecord {
  const row = stmt<RunRow>(db, `${RUN_SELECT} WHERE r.id = ?`).get(id);
  if (!row) throw notFound(id);
  return toRecord(db, row);
}

/** The run id that `prefix` names: an exact id, or the only id starting with it. */
export function resolveRunId(db: Db, prefix: string): string {
  if (prefix === '')
    throw new WorkbenchError('invalid_input', 'a run id (or a prefix of one) must not be empty');
  if (stmt(db, 'SELECT 1 FROM runs WHERE id = ?').get(prefix) !== undefined) return prefix;
  const ids = namedStmt<{ id: string }>(
    db,
    'SELECT id FROM runs WHERE substr(id, 1, length(@p)) = @p ORDER BY id LIMIT 11',
  )
    .all({ p: prefix })
    .map((r) => r.id);
  const [only] = ids;
  if (only === undefined)
    throw new WorkbenchError('not_found', `no run '${prefix}' (and no run id starts with it)`);
  if (ids.length === 1) return only;
  const shown = ids.slice(0, 10).join(', ') + (ids.length > 10 ? ', …' : '');
  throw new WorkbenchError(
    'invalid_input',
    `'${prefix}' matches several runs (${shown}); give more of the id`,
  );
}

/** Runs matching every given filter field, newest first. */
export function listRuns(db: Db, filter: RunFilter = {}): RunRecord[] {
  if (filter.status !== undefined && !RUN_STATUSES.includes(filter.status))
    throw new WorkbenchError(
      'invalid_input',
      `unknown status '${String(filter.status)}' (known: ${RUN_STATUSES.join(', ')})`,
    );
  const where: string[] = [];
  const params: string[] = [];
  for (const field of ['status', 'arch', 'task'] as const) {
    const value = filter[field];
    if (value === undefined) continue;
    where.push(`r.${field} = ?`);
    params.push(value);
  }
  const sql = `${RUN_SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY r.created_at DESC, r.id DESC`;
  return stmt<RunRow>(db, sql)
    .all(...params)
    .map((row) => toRecord(db, row));
}

/** Sets tag `key` of a run, or removes it when `value` is null. */
export function setTag(db: Db, runId: string, key: string, value: string | null): void {
  if (key === '') throw new WorkbenchError('invalid_input', 'a tag key must not be empty');
  inWriteTransaction(db, () => {
    requireRun(db, runId);
    if (value === null) stmt(db, 'DELETE FROM tags WHERE run_id = ? AND key = ?').run(runId, key);
    else
      stmt(
        db,
        'INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value',
      ).run(runId, key, value);
  });
}

export function setNote(db: Db, runId: string, note: string, now: number): void {
  inWriteTransaction(db, () => {
    requireRun(db, runId);
    stmt(
      db,
      `INSERT INTO notes (run_id, body, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (run_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
    ).run(runId, note, now);
  });
}

/** Deletes a run; its params, metrics, tags, notes, artifacts and checkpoints go with it (ON DELETE CASCADE). */
export function deleteRun(db: Db, runId: string): void {
  changeRun(db, runId, 'DELETE FROM runs WHERE id = ?', runId);
}
