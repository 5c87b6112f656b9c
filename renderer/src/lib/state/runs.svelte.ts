// Every run of the database, kept live from the event stream; the best value of each run's main metric.
import type { RunSummary } from '../../../../core/api/contract.ts';
import type { RunEvent, RunRecord } from '../../../../core/api/types.ts';
import { evalKey } from '../../../../core/api/types.ts';
import { batcher } from '../batch.ts';
import { client } from '../client.ts';
import { catalogue } from './catalogue.svelte.ts';
import { attempt } from './toasts.svelte.ts';

class Runs {
  list = $state.raw<RunRecord[]>([]);
  /** Summary (best, last) per run id, from the server, then kept up to date from evaluation events. */
  summaries = $state.raw<Record<string, RunSummary>>({});
  loaded = $state.raw(false);
  /** Runs ticked in the table for Compare. */
  selected = $state.raw<ReadonlySet<string>>(new Set());

  constructor() {
    const push = batcher<RunEvent>((events) => events.forEach((e) => this.#apply(e)));
    client.onRunEvent(push);
    client.onConnection((c) => {
      if (c === 'open' && this.loaded) void this.refresh();
    });
  }

  #refreshing: Promise<void> | null = null;
  #inFlight = false;

  /** Reads the list (at start, and when a reopened event stream may have missed changes); one read at a time. */
  refresh(): Promise<void> {
    if (this.#inFlight && this.#refreshing) return this.#refreshing;
    this.#inFlight = true;
    this.#refreshing = (async () => {
      const list = await attempt('Loading runs', () => client.call('runs', {}));
      this.#inFlight = false;
      if (!list) return;
      this.list = list;
      this.loaded = true;
      const known = new Set(list.map((r) => r.id));
      this.selected = new Set([...this.selected].filter((id) => known.has(id)));
    })();
    return this.#refreshing;
  }

  /**
   * Best and last value of every run's main metric, for the Runs table. Asked for by that screen only: it
   * scans each run's metric in the database, which other screens should not wait behind.
   */
  async loadSummaries(): Promise<void> {
    await (this.#refreshing ?? this.refresh());
    if (this.list.length === 0) return;
    const summaries = await attempt('Summarizing runs', () =>
      client.call('summarize', { runIds: this.list.map((r) => r.id) }),
    );
    if (summaries)
      this.summaries = { ...this.summaries, ...Object.fromEntries(summaries.map((s) => [s.runId, s])) };
  }

  get(id: string): RunRecord | undefined {
    return this.list.find((r) => r.id === id);
  }

  /** Puts a fresh record in the list (after an action or a final status). */
  upsert(run: RunRecord): void {
    const i = this.list.findIndex((r) => r.id === run.id);
    this.list = i < 0 ? [run, ...this.list] : this.list.with(i, run);
  }

  remove(id: string): void {
    this.list = this.list.filter((r) => r.id !== id);
    const { [id]: _gone, ...rest } = this.summaries;
    this.summaries = rest;
    this.toggle(id, false);
  }

  toggle(id: string, on: boolean): void {
    const next = new Set(this.selected);
    if (on) next.add(id);
    else next.delete(id);
    this.selected = next;
  }

  async reload(id: string): Promise<RunRecord | undefined> {
    const run = await attempt('Loading run', () => client.call('run', { runId: id }));
    if (run) this.upsert(run);
    return run;
  }

  #apply(e: RunEvent): void {
    const run = this.get(e.runId);
    if (!run) {
      // A run started elsewhere (another window, the CLI): fetch it once.
      if (this.loaded) void this.reload(e.runId);
      return;
    }
    if (e.type === 'status') {
      this.upsert({ ...run, status: e.status, error: e.error ?? run.error });
      // The record's times and error change with the status: read them once per status change.
      void this.reload(e.runId);
    } else if (e.type === 'env') this.upsert({ ...run, env: e.env, paramCount: e.paramCount });
    else if (e.type === 'metrics') {
      const latest = { ...run.latest };
      for (const [key, value] of Object.entries(e.values))
        latest[key] = { step: e.step, value, wallMs: e.wallMs };
      this.upsert({ ...run, latest, step: Math.max(run.step, e.step) });
      this.#updateSummary(e);
    }
  }

  /** A summary with nothing measured yet, for a run started after the list was summarized. */
  #blankSummary(id: string): RunSummary | null {
    const run = this.get(id);
    const task = run && catalogue.task(run.spec.task);
    if (!run || !task) return null;
    return {
      runId: id,
      metric: evalKey(task.metric),
      lowerIsBetter: task.lowerIsBetter,
      best: null,
      bestStep: null,
      last: null,
      lastStep: null,
      stepsToThreshold: null,
      paramCount: run.paramCount,
      medianStepMs: null,
      step: run.step,
    };
  }

  #updateSummary(e: Extract<RunEvent, { type: 'metrics' }>): void {
    const s = this.summaries[e.runId] ?? this.#blankSummary(e.runId);
    const value = s ? e.values[s.metric] : undefined;
    if (!s || value === undefined) return;
    const better =
      Number.isFinite(value) && (s.best === null || (s.lowerIsBetter ? value < s.best : value > s.best));
    this.summaries = {
      ...this.summaries,
      [e.runId]: {
        ...s,
        last: value,
        lastStep: e.step,
        step: e.step,
        ...(better ? { best: value, bestStep: e.step } : {}),
      },
    };
  }
}

export const runs = new Runs();
