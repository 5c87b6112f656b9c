// Metric series of one or several runs: fetched downsampled to the chart width, refetched for a zoomed step
// range, and grown live from the event stream (never polled).
import type { MetricPoint, RunEvent } from '../../../../core/api/types.ts';
import { batcher } from '../batch.ts';
import type { StepRange } from '../chart/xy.ts';
import { client } from '../client.ts';
import { toasts } from './toasts.svelte.ts';

/** Which keys to fetch for which run. */
export interface SeriesTarget {
  runId: string;
  keys: readonly string[];
}

export type RunSeries = Record<string, MetricPoint[]>;

/**
 * Adds one event's points to `series`. A live event at or below a series' last step means the run was resumed
 * from a checkpoint: that tail is cut first (the server did the same). A replayed event (buffered during a
 * fetch) at or below the last step is already in the fetched data and is skipped.
 */
function appendEvent(
  series: RunSeries,
  keys: readonly string[],
  e: RunEvent & { type: 'metrics' },
  replayed: boolean,
): RunSeries {
  const out = { ...series };
  for (const key of keys) {
    const value = e.values[key];
    if (value === undefined) continue;
    const pts = out[key] ?? [];
    const last = pts.at(-1);
    if (last && last.step >= e.step && replayed) continue;
    const kept = last && last.step >= e.step ? pts.filter((p) => p.step < e.step) : pts.slice();
    kept.push({ step: e.step, value, wallMs: e.wallMs });
    out[key] = kept;
  }
  return out;
}

export class SeriesStore {
  /** run id → metric key → points in step order; replaced whole on every change (kept raw, never proxied). */
  data = $state.raw<Record<string, RunSeries>>({});
  /** The zoomed step range, or null for the whole run. */
  range = $state.raw<StepRange | null>(null);
  loading = $state.raw(false);
  loaded = $state.raw(false);
  readonly targets: readonly SeriesTarget[];
  readonly maxPoints: number;
  /** Events that arrive while a fetch is under way, replayed onto its result. */
  #buffer: RunEvent[] | null = null;
  #generation = 0;
  #off: () => void;

  constructor(targets: readonly SeriesTarget[], maxPoints: number) {
    this.targets = targets;
    this.maxPoints = Math.max(16, Math.round(maxPoints));
    const ids = new Set(targets.map((t) => t.runId));
    const push = batcher<RunEvent>((events) => this.#onEvents(events), 40);
    const offEvents = client.onRunEvent((e) => {
      if (e.type === 'metrics' && ids.has(e.runId)) push(e);
    });
    // Events sent while the stream was down are lost: fetch again once it is back.
    let dropped = false;
    const offConnection = client.onConnection((c) => {
      if (c === 'closed') dropped = true;
      else if (c === 'open' && dropped) {
        dropped = false;
        void this.load();
      }
    });
    this.#off = () => {
      offEvents();
      offConnection();
    };
  }

  async load(): Promise<void> {
    const generation = ++this.#generation;
    this.#buffer = [];
    this.loading = true;
    const range = this.range;
    let data: Record<string, RunSeries> = {};
    try {
      const lists = await client.call('metricsMany', {
        requests: this.targets.map((t) => ({
          runId: t.runId,
          keys: [...t.keys],
          maxPoints: this.maxPoints,
          ...(range ? { fromStep: range.from, toStep: range.to } : {}),
        })),
      });
      data = Object.fromEntries(
        this.targets.map((t, i) => [
          t.runId,
          Object.fromEntries((lists[i] ?? []).map((s) => [s.key, s.points])),
        ]),
      );
    } catch (err) {
      const ids = this.targets.map((t) => t.runId).join(', ');
      toasts.error(`Loading the curves of run${this.targets.length > 1 ? 's' : ''} ${ids}`, err);
    }
    if (generation !== this.#generation) return;
    const buffered = this.#buffer;
    this.#buffer = null;
    this.data = data;
    this.loading = false;
    this.loaded = true;
    this.#onEvents(buffered, true);
  }

  zoom(range: StepRange): void {
    this.range = range;
    void this.load();
  }

  resetZoom(): void {
    this.range = null;
    void this.load();
  }

  dispose(): void {
    this.#off();
    this.#generation++;
  }

  #onEvents(events: RunEvent[], replayed = false): void {
    if (this.#buffer) {
      this.#buffer.push(...events);
      return;
    }
    const range = this.range;
    let data = this.data;
    for (const e of events) {
      if (e.type !== 'metrics') continue;
      if (range && (e.step < range.from || e.step > range.to)) continue;
      const target = this.targets.find((t) => t.runId === e.runId);
      if (target) data = { ...data, [e.runId]: appendEvent(data[e.runId] ?? {}, target.keys, e, replayed) };
    }
    if (data === this.data) return;
    this.data = data;
    // Live points pile up at full resolution: past twice the budget, fetch the run downsampled again.
    const tooLong = Object.values(data).some((s) =>
      Object.values(s).some((p) => p.length > 2 * this.maxPoints),
    );
    if (tooLong && !range && !this.loading) void this.load();
  }
}
