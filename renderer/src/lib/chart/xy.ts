// Metric points to chart coordinates: x by step or wall time, EMA smoothing, gaps for non-finite (or, on a log
// axis, non-positive) values; and back from a dragged x range to the step range to refetch.
import type { MetricPoint } from '../../../../core/api/types.ts';
import { emaSmooth } from '../../../../core/compare/smoothing.ts';

export type XAxis = 'step' | 'wall';

export interface StepRange {
  from: number;
  to: number;
}

export interface XY {
  x: number;
  y: number | null;
}

export interface XYOptions {
  xAxis: XAxis;
  /** Wall time (epoch ms) that x = 0 stands for on the wall-time axis: the run's start. */
  origin: number;
  smoothing: number;
  logY: boolean;
}

export function xOf(p: MetricPoint, xAxis: XAxis, origin: number): number {
  return xAxis === 'step' ? p.step : (p.wallMs - origin) / 1000;
}

export function toXY(points: readonly MetricPoint[], o: XYOptions): XY[] {
  const ys = emaSmooth(
    points.map((p) => p.value),
    o.smoothing,
  );
  return points.map((p, i) => {
    const y = ys[i]!;
    return { x: xOf(p, o.xAxis, o.origin), y: Number.isFinite(y) && (!o.logY || y > 0) ? y : null };
  });
}

/** The steps whose points fall between x = `a` and x = `b` in any of the series, or null when none does. */
export function stepRangeOf(
  a: number,
  b: number,
  series: readonly { points: readonly MetricPoint[]; origin: number }[],
  xAxis: XAxis,
): StepRange | null {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  if (xAxis === 'step') {
    const from = Math.max(0, Math.ceil(lo));
    const to = Math.floor(hi);
    return to > from ? { from, to } : null;
  }
  let from = Infinity;
  let to = -Infinity;
  for (const s of series)
    for (const p of s.points) {
      const x = xOf(p, xAxis, s.origin);
      if (x >= lo && x <= hi) {
        from = Math.min(from, p.step);
        to = Math.max(to, p.step);
      }
    }
  return to > from ? { from, to } : null;
}

/** A horizontal line at `y` across the x extent of `lines` (the task's trivial baseline), or null without data. */
export function horizontalLine(y: number, lines: readonly (readonly XY[])[]): XY[] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const l of lines)
    for (const p of l) {
      lo = Math.min(lo, p.x);
      hi = Math.max(hi, p.x);
    }
  return lo <= hi
    ? [
        { x: lo, y },
        { x: hi, y },
      ]
    : null;
}
