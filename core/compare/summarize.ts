// Run summaries: best and last value of the main metric, steps to reach a threshold, median time per step.
import type { RunSummary } from '../api/contract.ts';
import type { MetricPoint, RunRecord } from '../api/types.ts';
import { evalKey } from '../api/types.ts';

/**
 * The best finite point (least when `lowerIsBetter`, else greatest; the earliest on ties), or null.
 * Exact on min/max-downsampled series too, since each bucket keeps its least and greatest point.
 */
export function bestPoint(points: readonly MetricPoint[], lowerIsBetter: boolean): MetricPoint | null {
  let best: MetricPoint | null = null;
  for (const p of points) {
    if (!Number.isFinite(p.value)) continue;
    if (best === null || (lowerIsBetter ? p.value < best.value : p.value > best.value)) best = p;
  }
  return best;
}

/** The first step whose finite value reaches `threshold` (≤ it when lower is better, else ≥), or null. */
export function stepsToThreshold(
  points: readonly MetricPoint[],
  threshold: number,
  lowerIsBetter: boolean,
): number | null {
  for (const p of points)
    if (Number.isFinite(p.value) && (lowerIsBetter ? p.value <= threshold : p.value >= threshold))
      return p.step;
  return null;
}

/** Median of the finite values (mean of the middle two for an even count), or null when there are none. */
export function median(values: readonly number[]): number | null {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export interface SummaryInput {
  metric: string;
  lowerIsBetter: boolean;
  /** The main metric's points (all of them for `stepsToThreshold`; min/max-downsampled is enough for best). */
  points: readonly MetricPoint[];
  /** `train/step_ms` points, all of them, or null when the median is not wanted. */
  stepMs: readonly MetricPoint[] | null;
  threshold: number | null;
  /** The reported test number (reportedTest), for dataset tasks. */
  test?: RunSummary['test'];
}

/** The summary row of one run; `last` is the run's latest value of the metric, from its record. */
export function summarizeRun(run: RunRecord, s: SummaryInput): RunSummary {
  const key = evalKey(s.metric);
  const best = bestPoint(s.points, s.lowerIsBetter);
  const last = run.latest[key] ?? null;
  return {
    runId: run.id,
    metric: key,
    lowerIsBetter: s.lowerIsBetter,
    best: best?.value ?? null,
    bestStep: best?.step ?? null,
    last: last?.value ?? null,
    lastStep: last?.step ?? null,
    stepsToThreshold: s.threshold === null ? null : stepsToThreshold(s.points, s.threshold, s.lowerIsBetter),
    paramCount: run.paramCount,
    medianStepMs: s.stepMs === null ? null : median(s.stepMs.map((p) => p.value)),
    step: run.step,
    ...(s.test !== undefined ? { test: s.test } : {}),
  };
}

/**
 * The test number a dataset run reports under its protocol: 'best-val' takes the test value at the evaluation
 * whose validation value is best (the earliest on ties; coRNN psMNIST / CIFAR, UnICORNN), 'last' the last test
 * value (coRNN sMNIST). Without a separate test series (no validation split: evaluation is on the test set),
 * `evalPoints` are the test values, and 'best-val' is the best test value (expRNN's protocol).
 */
export function reportedTest(
  evalPoints: readonly MetricPoint[],
  testPoints: readonly MetricPoint[],
  protocol: string,
  lowerIsBetter: boolean,
): { value: number; step: number } | null {
  const test = testPoints.length > 0 ? testPoints : evalPoints;
  if (test.length === 0) return null;
  if (protocol === 'last') {
    const last = test[test.length - 1]!;
    return { value: last.value, step: last.step };
  }
  const best = bestPoint(evalPoints, lowerIsBetter);
  if (!best) return null;
  const at = test.find((p) => p.step === best.step);
  return at ? { value: at.value, step: at.step } : null;
}
