// What one chart of a curve panel shows: a metric per run, its reference line, its colour for a single run.
import type { RunRecord } from '../../../../core/api/types.ts';

export interface CurveDef {
  name: string;
  title: string;
  /** The metric key of this chart for a run (the evaluation metric depends on the run's task). */
  keyOf: (run: RunRecord) => string;
  /** The horizontal reference line for a run (its task's trivial baseline), or null. */
  baselineOf: (run: RunRecord) => number | null;
  /** Colour of the curve when a single run is shown. */
  color: string;
}
