// class Workbench implements WorkbenchApi: the one place where storage, runners, models and tasks meet.
import { randomBytes, randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type {
  ListRunsInput,
  MetricsInput,
  RunSummary,
  StartRunInput,
  SummarizeInput,
  TrainingOptions,
  WorkbenchApi,
} from './api/contract.ts';
import { WorkbenchError } from './api/errors.ts';
import type { ArchInfo, RunEvent, RunRecord, TaskInfo } from './api/types.ts';
import { RESUMABLE } from './api/types.ts';
import { CELLS } from './models/registry.ts';
import { FINAL_STATUSES, type RunnerMode } from './runner/protocol.ts';
import { forkLauncher, launchRunner, type Launcher, type RunnerHandle } from './runner/runner.ts';
import { openStore, type Store } from './storage/db.ts';
import { getTask, TASKS } from './tasks/registry.ts';
import { DEFAULT_STEPS, resolveRunSpec, trainDefaultsFor } from './training/spec.ts';
import { TRAIN_SCHEMA } from './training/config.ts';
import { BACKEND_CHOICES } from './engine/backend.ts';
import { summarizeRun } from './compare/summarize.ts';
import { evalKey, METRIC } from './api/types.ts';
import { defaultsOf, type Config } from './api/params.ts';

export interface WorkbenchOptions {
  dbPath: string;
  launcher?: Launcher;
  experiment?: string;
}

export class Workbench implements WorkbenchApi {
  readonly dbPath: string;
  private readonly store: Store;
  private readonly launcher: Launcher;
  private readonly active = new Map<string, RunnerHandle>();
  private readonly emitter = new EventEmitter();
  private readonly experiment: string;

  constructor(opts: WorkbenchOptions) {
    this.dbPath = opts.dbPath;
    this.store = openStore(opts.dbPath);
    this.launcher = opts.launcher ?? forkLauncher;
    this.experiment = opts.experiment ?? 'default';
  }

  /** Subscribe to run events (every transport forwards these); returns the unsubscribe function. */
  onRunEvent(cb: (e: RunEvent) => void): () => void {
    this.emitter.on('run', cb);
    return () => this.emitter.off('run', cb);
  }

  async archs(): Promise<ArchInfo[]> {
    return CELLS.map((c) => ({
      name: c.name,
      title: c.title,
      summary: c.summary,
      paper: c.paper,
      config: c.config,
      trainDefaults: trainDefaultsFor(c.name) as Config,
      weights: c.weights(1, defaultsOf(c.config)).map((w) => ({
        name: w.name,
        shape: w.shape,
        doc: w.doc,
        group: w.group ?? 'default',
      })),
    }));
  }

  async tasks(): Promise<TaskInfo[]> {
    return TASKS.map((t) => ({
      name: t.name,
      title: t.title,
      summary: t.summary,
      paper: t.paper,
      config: t.config,
      metric: t.metric,
      lowerIsBetter: t.lowerIsBetter,
    }));
  }

  async resolveRun(input: StartRunInput) {
    const spec = resolveRunSpec(input, () => randomInt(2 ** 31));
    return {
      arch: spec.archConfig,
      task: spec.taskConfig,
      train: spec.trainConfig,
      seed: spec.seed,
      steps: spec.steps,
    };
  }

  async startRun(input: StartRunInput): Promise<RunRecord> {
    const spec = resolveRunSpec(input, () => randomInt(2 ** 31));
    const task = getTask(spec.task);
    const id = randomBytes(6).toString('hex');
    this.store.createRun({
      id,
      experiment: input.experiment ?? this.experiment,
      spec,
      baseline: task.baseline(spec.taskConfig),
      createdAt: Date.now(),
    });
    this.launch(id, 'start');
    return this.store.getRun(id);
  }

  async runs(input: ListRunsInput): Promise<RunRecord[]> {
    return this.store.listRuns(input);
  }

  async run(input: { runId: string }): Promise<RunRecord> {
    return this.store.getRun(this.store.resolveRunId(input.runId));
  }

  async metrics(input: MetricsInput) {
    const id = this.store.resolveRunId(input.runId);
    return this.store.readMetrics(id, input);
  }

  async metricsMany(input: { requests: MetricsInput[] }) {
    return Promise.all(input.requests.map((r) => this.metrics(r)));
  }

  async checkpoints(input: { runId: string }) {
    return this.store.listCheckpoints(this.store.resolveRunId(input.runId));
  }

  /** A runner of this process gets a cancel message; a run owned by another process sees the flag in the database. */
  async stopRun(input: { runId: string }): Promise<RunRecord> {
    const id = this.store.resolveRunId(input.runId);
    const run = this.store.getRun(id);
    if (run.status !== 'running' && run.status !== 'queued')
      throw new WorkbenchError('conflict', `run ${id} is ${run.status}, not running`);
    this.store.requestStop(id);
    this.active.get(id)?.cancel();
    return this.store.getRun(id);
  }

  async resumeRun(input: { runId: string; steps?: number }): Promise<RunRecord> {
    this.store.reapDeadRuns();
    const id = this.store.resolveRunId(input.runId);
    const run = this.store.getRun(id);
    const steps = input.steps ?? run.spec.steps;
    const extendsCompleted = run.status === 'completed' && steps > run.step;
    if (!RESUMABLE.includes(run.status) && !extendsCompleted)
      throw new WorkbenchError(
        'conflict',
        run.status === 'completed'
          ? `run ${id} is completed at step ${run.step}; pass a larger --steps to train it further`
          : `run ${id} is ${run.status}; only ${RESUMABLE.join(', ')} runs can be resumed`,
      );
    if (steps !== run.spec.steps) this.store.setSteps(id, steps);
    this.launch(id, 'resume');
    return this.store.getRun(id);
  }

  async setTag(input: { runId: string; key: string; value: string | null }): Promise<RunRecord> {
    const id = this.store.resolveRunId(input.runId);
    this.store.setTag(id, input.key, input.value);
    return this.store.getRun(id);
  }

  async setNote(input: { runId: string; note: string }): Promise<RunRecord> {
    const id = this.store.resolveRunId(input.runId);
    this.store.setNote(id, input.note);
    return this.store.getRun(id);
  }

  async deleteRun(input: { runId: string }): Promise<{ deleted: string }> {
    const id = this.store.resolveRunId(input.runId);
    const run = this.store.getRun(id);
    if (run.status === 'running' || run.status === 'queued')
      throw new WorkbenchError('conflict', `run ${id} is ${run.status}; stop it before deleting`);
    this.store.deleteRun(id);
    return { deleted: id };
  }

  async trainingOptions(): Promise<TrainingOptions> {
    return { config: TRAIN_SCHEMA, backends: [...BACKEND_CHOICES], defaultSteps: DEFAULT_STEPS };
  }

  /** Best via a 2-point min/max read (exact); the threshold and median read every point only when `full`. */
  async summarize(input: SummarizeInput): Promise<RunSummary[]> {
    const full = input.full === true;
    return input.runIds.map((runId) => {
      const run = this.store.getRun(this.store.resolveRunId(runId));
      const task = TASKS.find((t) => t.name === run.spec.task);
      const metric = task?.metric ?? 'loss';
      const lowerIsBetter = task?.lowerIsBetter ?? true;
      const [series] = this.store.readMetrics(run.id, {
        keys: [evalKey(metric)],
        ...(full ? {} : { maxPoints: 2 }),
      });
      const stepMs = full
        ? (this.store.readMetrics(run.id, { keys: [METRIC.stepMs] })[0]?.points ?? [])
        : null;
      return summarizeRun(run, {
        metric,
        lowerIsBetter,
        points: series?.points ?? [],
        stepMs,
        threshold: full && input.threshold !== undefined ? input.threshold : null,
      });
    });
  }

  /** Resolves with the run's record once its runner (started by this process) has exited. */
  async waitForRun(runId: string): Promise<RunRecord> {
    const handle = this.active.get(runId);
    if (handle) await handle.exited;
    return this.store.getRun(runId);
  }

  /** Stop every runner this process started (each checkpoints first) and close the database. */
  async close(graceMs = 15000): Promise<void> {
    const handles = [...this.active.values()];
    for (const h of handles) h.cancel(graceMs);
    await Promise.all(handles.map((h) => h.exited));
    this.store.close();
  }

  private launch(runId: string, mode: RunnerMode): void {
    const handle = launchRunner(
      this.dbPath,
      runId,
      mode,
      (m) => {
        if (m.type === 'event') this.emitter.emit('run', m.event);
      },
      this.launcher,
    );
    this.active.set(runId, handle);
    void handle.exited.then(({ done, code, signal }) => {
      this.active.delete(runId);
      if (done) return;
      // The runner died without its final word (crash, kill -9): never leave the run 'running'.
      const run = this.store.getRun(runId);
      if (!FINAL_STATUSES.includes(run.status)) {
        const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
        this.store.finishRun(
          runId,
          'interrupted',
          `runner ${how}; resume continues from the last checkpoint`,
          Date.now(),
        );
        this.emitter.emit('run', { type: 'status', runId, status: 'interrupted' } satisfies RunEvent);
      }
    });
  }
}
