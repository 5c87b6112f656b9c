// Metric values in SQL: SQLite stores NaN as NULL, so non-finite values travel as NULL plus an explicit tag.
import type { MetricPoint } from '../api/types.ts';

export type NonFinite = 'nan' | 'inf' | '-inf';

/** The (value, nonfinite) column pair for `v`: exactly one of the two is non-null. */
export function encodeValue(v: number): { value: number | null; nonfinite: NonFinite | null } {
  if (Number.isFinite(v)) return { value: v, nonfinite: null };
  if (Number.isNaN(v)) return { value: null, nonfinite: 'nan' };
  return { value: null, nonfinite: v > 0 ? 'inf' : '-inf' };
}

/** The number a (value, nonfinite) column pair stands for; the inverse of encodeValue. */
export function decodeValue(value: number | null, nonfinite: string | null): number {
  if (nonfinite === 'nan') return NaN;
  if (nonfinite === 'inf') return Infinity;
  if (nonfinite === '-inf') return -Infinity;
  return value ?? NaN;
}

/** A metric row as the metrics and latest_metrics tables hold it. */
export interface MetricRow {
  step: number;
  value: number | null;
  nonfinite: string | null;
  wall_ms: number;
}

export function toPoint(row: MetricRow): MetricPoint {
  return { step: row.step, value: decodeValue(row.value, row.nonfinite), wallMs: row.wall_ms };
}
