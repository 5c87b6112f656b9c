// class Workbench implements WorkbenchApi: the one place where storage, runners, models and tasks meet.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type {
  ExportWeightsInput,
  ListRunsInput,
  MetricsInput,
  RunSummary,
  SpectrumInput,
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
import { WorkbenchData } from './workbench-datasets.ts';
import type { DatasetPreviewInput, ImportDatasetInput, RobustnessInput } from './api/contract.ts';
import type { DatasetPreview, DatasetRecord, RobustnessCurve } from './api/types.ts';
import { DEFAULT_STEPS, trainDefaultsFor } from './training/spec.ts';
import { TRAIN_SCHEMA } from './training/config.ts';
import { BACKEND_CHOICES, libraryVersions } from './engine/backend.ts';
import { summarizeRun } from './compare/summarize.ts';
import { evalKey, METRIC } from './api/types.ts';
import { defaultsOf, type Config } from './api/params.ts';
import type { DiagnosticProbe, ExportResult, RunDiagnostics, RunSpec, SpectrumInfo } from './api/types.ts';
import { DIAGNOSTIC } from './api/types.ts';
import { Rng } from './engine/rng.ts';
import { spectrumOfWeights, type Spectrum } from './diagnostics/spectrum.ts';
import { modelCard } from './export/card.ts';
import { importTensors } from './export/tensors.ts';
import { exportMetadata, getFormat, readWeightFile, writeWeights } from './export/weights.ts';
import { effectiveParamCount, type CellSpec, type WeightSpec } from './models/cell.ts';
import {
  countParams,
  initialWeights,
  modelSpecs,
  paramTensors,
  type ModelShape,
  type WeightValues,
} from './models/model.ts';
import { getCell } from './models/registry.ts';
import { decodeCheckpoint, encodeCheckpoint } from './training/checkpoint.ts';

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
  /** Datasets, the dataset of a run, previews and robustness evaluations (workbench-datasets.ts). */
  private readonly data: WorkbenchData;

  constructor(opts: WorkbenchOptions) {
    this.dbPath = opts.dbPath;
    this.store = openStore(opts.dbPath);
    this.launcher = opts.launcher ?? forkLauncher;
    this.experiment = opts.experiment ?? 'default';
    this.data = new WorkbenchData(this.store, this.dbPath, this.launcher);
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
      dataset: t.dataset
        ? {
            formats: [...t.dataset.formats],
            kinds: [...t.dataset.kinds],
            builtin: t.dataset.builtinName ?? null,
          }
        : null,
    }));
  }

  async resolveRun(input: StartRunInput) {
    const spec = this.data.resolveSpec(input, () => randomInt(2 ** 31));
    return {
      arch: spec.archConfig,
      task: spec.taskConfig,
      train: spec.trainConfig,
      seed: spec.seed,
      steps: spec.steps,
    };
  }

  async startRun(input: StartRunInput): Promise<RunRecord> {
    const init = input.initFrom ? this.readInitialWeights(input) : null;
    const spec = this.data.resolveSpec(init ? init.input : input, () => randomInt(2 ** 31));
    const task = getTask(spec.task);
    // Checked against the resolved config before anything is stored: a foreign file creates no run.
    const weights = init ? init.weights(spec) : null;
    const id = randomBytes(6).toString('hex');
    this.store.createRun({
      id,
      experiment: input.experiment ?? this.experiment,
      spec,
      baseline: task.baseline(spec.taskConfig, spec.dataset),
      createdAt: Date.now(),
    });
    if (init && weights) {
      // The given weights become the run's checkpoint at step 0 (no optimizer or RNG state: those start fresh), and
      // the runner resumes from it: evaluation at step 0 is then the imported model's.
      const now = Date.now();
      const data = encodeCheckpoint({ step: 0, weights, optimizers: {}, rng: {} });
      this.store.commitProgress(id, { metrics: [], now, checkpoint: { step: 0, data, now } });
      this.store.setTag(id, 'init.from', init.label);
    }
    this.launch(id, init ? 'resume' : 'start');
    return this.store.getRun(id);
  }

  /**
   * The weight files of `input.initFrom`, decoded (a malformed file is refused here, with its reason), and the input
   * with the file's architecture config as defaults when the file is an export of this architecture.
   */
  private readInitialWeights(input: StartRunInput): {
    input: StartRunInput;
    label: string;
    weights: (spec: RunSpec) => Record<string, WeightValues>;
  } {
    const given = input.initFrom!.files.map((f) => ({ name: f.name, data: Buffer.from(f.base64, 'base64') }));
    const what = given.map((f) => f.name).join(' + ');
    const file = readWeightFile(given, what);
    const set = { ...input.set };
    if (file.metadata['arch'] === input.arch && file.metadata['arch_config']) {
      let config: Record<string, unknown> = {};
      try {
        config = JSON.parse(file.metadata['arch_config']) as Record<string, unknown>;
      } catch {
        throw new WorkbenchError('invalid_input', `${what}: its arch_config metadata is not JSON`);
      }
      for (const [k, v] of Object.entries(config))
        if (
          !(k in set) &&
          !(`arch.${k}` in set) &&
          (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')
        )
          set[`arch.${k}`] = v;
    }
    const hash = createHash('sha256');
    for (const f of given) hash.update(f.data);
    return {
      input: { ...input, set },
      label: `${what} (${file.format}, sha256 ${hash.digest('hex').slice(0, 16)})`.slice(0, 1024),
      weights: (spec) => {
        const cell = getCell(spec.arch);
        const shape = getTask(spec.task).shape(spec.taskConfig, spec.dataset);
        return importTensors(modelSpecs(cell, spec.archConfig, shape), file.tensors, what, cell.name);
      },
    };
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
        test: this.data.reportedTest(run),
      });
    });
  }

  async datasets(): Promise<DatasetRecord[]> {
    return this.data.list();
  }

  async importDataset(input: ImportDatasetInput): Promise<DatasetRecord> {
    return this.data.import(input);
  }

  async deleteDataset(input: { datasetId: string }): Promise<{ deleted: string }> {
    return this.data.delete(input.datasetId);
  }

  async datasetPreview(input: DatasetPreviewInput): Promise<DatasetPreview> {
    return this.data.preview(input);
  }

  async robustness(input: RobustnessInput): Promise<RobustnessCurve> {
    return this.data.robustness(input);
  }

  async robustnessCurves(input: { runIds: string[] }): Promise<RobustnessCurve[]> {
    return this.data.robustnessCurves(input.runIds);
  }

  async diagnostics(input: { runId: string }): Promise<RunDiagnostics> {
    const run = this.store.getRun(this.store.resolveRunId(input.runId));
    const { specs } = this.modelOf(run);
    const rows = this.store.readDiagnostics(run.id, [DIAGNOSTIC.gradNorms, DIAGNOSTIC.stateNorms]);
    const byStep = new Map<number, DiagnosticProbe>();
    for (const r of rows) {
      const p = byStep.get(r.step) ?? { step: r.step, wallMs: r.wallMs, gradNorms: [], stateNorms: [] };
      if (r.kind === DIAGNOSTIC.gradNorms) p.gradNorms = Array.from(r.values);
      else p.stateNorms = Array.from(r.values);
      byStep.set(r.step, p);
    }
    const [summary] = await this.summarize({ runIds: [run.id], full: true });
    const rss = this.store.readMetrics(run.id, { keys: [METRIC.peakRssMb], maxPoints: 2 })[0]?.points ?? [];
    const diagEvery = run.spec.trainConfig['diagEvery'];
    return {
      runId: run.id,
      params: paramTensors(specs),
      paramCount: countParams(specs),
      effectiveParamCount: effectiveParamCount(specs),
      probes: [...byStep.values()].sort((a, b) => a.step - b.step),
      probeBatch:
        typeof diagEvery === 'number' && diagEvery > 0 ? (run.spec.trainConfig['diagBatch'] as number) : null,
      diagEvery: typeof diagEvery === 'number' && diagEvery > 0 ? diagEvery : null,
      medianStepMs: summary?.medianStepMs ?? null,
      peakRssMb: rss.length > 0 ? Math.max(...rss.map((p) => p.value)) : null,
    };
  }

  async spectrum(input: SpectrumInput): Promise<SpectrumInfo> {
    const run = this.store.getRun(this.store.resolveRunId(input.runId));
    const { cell, shape, specs } = this.modelOf(run);
    const { step, weights } = this.weightsAt(run, specs, input.step);
    let s: Spectrum;
    try {
      s = await spectrumOfWeights(cell, run.spec.archConfig, shape.inputDim, weights);
    } catch (err) {
      throw new WorkbenchError('invalid_input', `spectrum of run ${run.id}: ${(err as Error).message}`);
    }
    return { runId: run.id, step, ...s };
  }

  async exportWeights(input: ExportWeightsInput): Promise<ExportResult> {
    const format = getFormat(input.format);
    const run = this.store.getRun(this.store.resolveRunId(input.runId));
    const { cell, shape, specs } = this.modelOf(run);
    const { step, weights } = this.weightsAt(run, specs, input.step);
    const versions = libraryVersions();
    const base = `${run.spec.arch}-${run.id}-step${step}`;
    const metadata = exportMetadata({
      spec: run.spec,
      runId: run.id,
      step,
      shape,
      appVersion: versions['rnn-workbench'] ?? '',
    });
    const files = writeWeights(format, specs, weights, metadata, base);
    const [summary] = await this.summarize({ runIds: [run.id] });
    const card = modelCard({
      run,
      cell,
      specs,
      step,
      format: format.name,
      files,
      summary: summary ?? null,
      versions,
      datasetHash: run.spec.dataset?.sha256 ?? null,
      now: new Date(),
    });
    const all = [
      ...files,
      { name: `${base}.${format.name}.card.json`, data: Buffer.from(JSON.stringify(card, null, 2) + '\n') },
    ];
    return {
      runId: run.id,
      format: format.name,
      step,
      files: all.map((f) => ({
        name: f.name,
        bytes: f.data.length,
        sha256: createHash('sha256').update(f.data).digest('hex'),
        base64: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength).toString('base64'),
      })),
    };
  }

  /** A run's cell, task shape and weight specs (no tensors). */
  private modelOf(run: RunRecord): { cell: CellSpec; shape: ModelShape; specs: WeightSpec[] } {
    const cell = getCell(run.spec.arch);
    const shape = getTask(run.spec.task).shape(run.spec.taskConfig, run.spec.dataset);
    return { cell, shape, specs: modelSpecs(cell, run.spec.archConfig, shape) };
  }

  /**
   * A run's weights at `step`: a stored checkpoint's, or at step 0 (with no checkpoint there) the initial weights
   * drawn again from the run's seed; without `step`, the newest checkpoint (or step 0 when none is stored yet).
   */
  private weightsAt(
    run: RunRecord,
    specs: readonly WeightSpec[],
    step: number | undefined,
  ): { step: number; weights: Record<string, WeightValues> } {
    const saved =
      step === undefined ? this.store.latestCheckpoint(run.id) : this.store.checkpointAt(run.id, step);
    if (saved) {
      const c = decodeCheckpoint(saved.data, `checkpoint of run ${run.id} at step ${saved.step}`);
      return { step: c.step, weights: c.weights };
    }
    if (step === undefined || step === 0)
      return { step: 0, weights: initialWeights(specs, Rng.stream(run.spec.seed, 'init')) };
    const kept = this.store.listCheckpoints(run.id).map((c) => c.step);
    throw new WorkbenchError(
      'not_found',
      `run ${run.id} has no checkpoint at step ${step} (kept: ${kept.length > 0 ? kept.join(', ') : 'none'}; 0 is the initial weights)`,
    );
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
