// Dataset rows: register an imported dataset (one INSERT, after its files were checked), list, get, delete.
import { WorkbenchError } from '../api/errors.ts';
import type { DatasetFormat, DatasetRecord } from '../api/types.ts';
import { inWriteTransaction, stmt } from './statements.ts';
import type { Db } from './statements.ts';

interface DatasetRow {
  id: string;
  name: string;
  format: DatasetFormat;
  kind: DatasetRecord['kind'];
  source: string;
  sha256: string;
  bytes: number;
  info: string;
  created_at: number;
}

type Info = Pick<DatasetRecord, 'files' | 'options' | 'shape' | 'stats'>;

function toRecord(r: DatasetRow): DatasetRecord {
  const info = JSON.parse(r.info) as Info;
  return {
    id: r.id,
    name: r.name,
    format: r.format,
    kind: r.kind,
    source: r.source,
    sha256: r.sha256,
    bytes: r.bytes,
    files: info.files,
    options: info.options,
    shape: info.shape,
    stats: info.stats,
    createdAt: r.created_at,
    builtin: false,
  };
}

const SELECT = 'SELECT id, name, format, kind, source, sha256, bytes, info, created_at FROM datasets';

/** Registers a dataset; a name already taken is a conflict (nothing is written). */
export function insertDataset(db: Db, d: DatasetRecord): void {
  if (d.name.trim() === '') throw new WorkbenchError('invalid_input', 'a dataset name must not be empty');
  inWriteTransaction(db, () => {
    if (stmt(db, 'SELECT 1 FROM datasets WHERE name = ?').get(d.name) !== undefined)
      throw new WorkbenchError(
        'conflict',
        `a dataset named '${d.name}' exists already: choose another name (--name) or delete it first`,
      );
    const info: Info = { files: d.files, options: d.options, shape: d.shape, stats: d.stats };
    stmt(
      db,
      `INSERT INTO datasets (id, name, format, kind, source, sha256, bytes, info, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(d.id, d.name, d.format, d.kind, d.source, d.sha256, d.bytes, JSON.stringify(info), d.createdAt);
  });
}

export function listDatasets(db: Db): DatasetRecord[] {
  return stmt<DatasetRow>(db, `${SELECT} ORDER BY created_at, name`).all().map(toRecord);
}

/** The dataset whose id or name is `key`, or whose id starts with it (unique), else not_found. */
export function getDataset(db: Db, key: string): DatasetRecord {
  const exact = stmt<DatasetRow>(db, `${SELECT} WHERE id = ? OR name = ?`).get(key, key);
  if (exact) return toRecord(exact);
  const prefixed = stmt<DatasetRow>(db, `${SELECT} WHERE substr(id, 1, length(?)) = ? LIMIT 2`).all(key, key);
  if (prefixed.length === 1) return toRecord(prefixed[0]!);
  if (prefixed.length > 1)
    throw new WorkbenchError('invalid_input', `dataset id prefix '${key}' is ambiguous`);
  throw new WorkbenchError('not_found', `no dataset '${key}' (see \`rnnwb datasets\`)`);
}

export function deleteDataset(db: Db, id: string): void {
  if (stmt(db, 'DELETE FROM datasets WHERE id = ?').run(id).changes === 0)
    throw new WorkbenchError('not_found', `no dataset '${id}'`);
}
