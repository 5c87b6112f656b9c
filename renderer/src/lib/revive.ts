// The HTTP host sends non-finite numbers as "NaN", "Infinity", "-Infinity": turn them back into numbers where numbers belong.
import type { RunSummary } from '../../../core/api/contract.ts';
import type {
  MetricPoint,
  MetricSeries,
  RunDiagnostics,
  RunEvent,
  RunRecord,
  SpectrumInfo,
} from '../../../core/api/types.ts';

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** A number field as JSON carried it: numbers stay, the three non-finite spellings become numbers. */
export function num<T>(v: T): T {
  return (typeof v === 'string' && v in NON_FINITE ? NON_FINITE[v] : v) as T;
}

function point(p: MetricPoint): MetricPoint {
  return { step: p.step, value: num(p.value), wallMs: p.wallMs };
}

export function reviveRun(r: RunRecord): RunRecord {
  const latest: Record<string, MetricPoint> = {};
  for (const [k, p] of Object.entries(r.latest)) latest[k] = point(p);
  return { ...r, baseline: num(r.baseline), latest };
}

export function reviveSeries(s: MetricSeries): MetricSeries {
  return { ...s, points: s.points.map(point) };
}

export function reviveSummary(s: RunSummary): RunSummary {
  return { ...s, best: num(s.best), last: num(s.last), medianStepMs: num(s.medianStepMs) };
}

export function reviveEvent(e: RunEvent): RunEvent {
  if (e.type !== 'metrics') return e;
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(e.values)) values[k] = num(v);
  return { ...e, values };
}

/** Only the fields that hold numbers are touched: a note or tag that reads "NaN" stays a string. */
export function reviveResult(method: string, value: unknown): unknown {
  switch (method) {
    case 'runs':
      return (value as RunRecord[]).map(reviveRun);
    case 'run':
    case 'startRun':
    case 'stopRun':
    case 'resumeRun':
    case 'setTag':
    case 'setNote':
      return reviveRun(value as RunRecord);
    case 'metrics':
      return (value as MetricSeries[]).map(reviveSeries);
    case 'metricsMany':
      return (value as MetricSeries[][]).map((list) => list.map(reviveSeries));
    case 'summarize':
      return (value as RunSummary[]).map(reviveSummary);
    case 'diagnostics': {
      const d = value as RunDiagnostics;
      return {
        ...d,
        probes: d.probes.map((p) => ({
          ...p,
          gradNorms: p.gradNorms.map(num),
          stateNorms: p.stateNorms.map(num),
        })),
        medianStepMs: num(d.medianStepMs),
        peakRssMb: num(d.peakRssMb),
      };
    }
    case 'spectrum': {
      const s = value as SpectrumInfo;
      return {
        ...s,
        re: s.re.map(num),
        im: s.im.map(num),
        singularValues: s.singularValues.map(num),
        spectralRadius: num(s.spectralRadius),
      };
    }
    default:
      return value;
  }
}
