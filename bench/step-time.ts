// Training-step benchmark: ms per step and peak RSS of our Stepper per (model, TF.js backend), beside PyTorch's.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '../core/engine/tf.ts';
import { WorkbenchError } from '../core/api/errors.ts';
import { defaultsOf, type Config } from '../core/api/params.ts';
import { BACKEND_NAMES, libraryVersions, selectBackend, type BackendName } from '../core/engine/backend.ts';
import { Rng } from '../core/engine/rng.ts';
import { Model } from '../core/models/model.ts';
import { getCell } from '../core/models/registry.ts';
import type { Batch } from '../core/tasks/task.ts';
import { TRAIN_SCHEMA } from '../core/training/config.ts';
import { Stepper } from '../core/training/loop.ts';

const USAGE = `node bench/step-time.ts [options]

Times one training step (forward over the whole sequence + MSE + BPTT + Adam) of each model on each
TF.js backend, every (model, backend) in a fresh child process, then PyTorch's for the same shapes.

  --models cornn,lstm              cells to time (any registered cell; PyTorch knows cornn and lstm)
  --backends cpu,wasm,node,node-gpu backends to try; missing ones are reported as unavailable
  --warmup N --steps N             untimed and timed steps for every backend
                                   (default: cpu 1 + 3, which take 10-30 s each; others 2 + 5)
  --hidden 128 --batch 64 --length 256
  --seed 0
  --json                           print one JSON object instead of the table
  --no-torch                       skip the PyTorch reference
  --torch-warmup 5 --torch-steps 20
  --torch-threads 2                torch.set_num_threads (1 where another process holds a core: PyTorch's
                                   2-thread steps slow down many-fold when one of its threads waits)
  --torch-no-flush-denormal        run PyTorch with denormals (its own default; slower for coRNN)
  --python /usr/bin/python3        interpreter that has torch (Debian's python3-torch)`;

const SELF = fileURLToPath(import.meta.url);
const TORCH_SCRIPT = fileURLToPath(new URL('./torch_step.py', import.meta.url));
/** Debian's OpenMP build of OpenBLAS: PyTorch's GEMMs use both cores through it (engine-probe README). */
const OPENBLAS_OPENMP = '/usr/lib/x86_64-linux-gnu/openblas-openmp';
/** The benchmark's task shape: one input channel, one regression output read at the last step. */
const INPUT_DIM = 1;
const OUTPUT_DIM = 1;
const LR = 1e-3;
const TORCH_MODELS = new Set(['cornn', 'lstm']);

/** Warm-up and timed steps per backend: the pure-JS cpu backend takes 10-30 s a step at the default shape. */
const DEFAULT_ROUNDS: Record<BackendName, { warmup: number; steps: number }> = {
  cpu: { warmup: 1, steps: 3 },
  wasm: { warmup: 2, steps: 5 },
  node: { warmup: 2, steps: 5 },
  'node-gpu': { warmup: 2, steps: 5 },
};

interface Shape {
  hidden: number;
  batch: number;
  length: number;
}

interface Timing {
  warmup: number;
  steps: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  timesMs: number[];
  peakRssMb: number;
}

/** What one child job (or the PyTorch script) reports for one (model, engine). */
type Row =
  | ({
      status: 'ok';
      model: string;
      engine: string;
      device: string;
      params: number;
      lastLoss: number;
      /** CPU seconds the job's process used (all threads), from its own rusage. */
      cpuS: number;
      /**
       * Share of the machine's CPU time that other processes used while the job ran (/proc/stat minus cpuS,
       * over wall time × cores); null where unknown. Above ~0.15 the timings are not the engine's alone.
       */
      otherCpu: number | null;
      /**
       * Time the job's main thread sat runnable but without a CPU during the timed steps, over their wall time
       * (Linux schedstat); null where unknown. The part of the timing that measured other processes.
       */
      cpuWait: number | null;
      /** Extra figures that differ per engine (tensor counts, forward/backward split, BLAS). */
      details: Record<string, unknown>;
    } & Timing)
  | { status: 'unavailable' | 'failed'; model: string; engine: string; reason: string };

/** The PyTorch script's JSON line (bench/torch_step.py). */
type TorchOutput =
  | { ok: false; error: string }
  | {
      ok: true;
      params: number;
      warmup: number;
      steps: number;
      median_ms: number;
      min_ms: number;
      max_ms: number;
      forward_median_ms: number;
      backward_median_ms: number;
      times_ms: number[];
      peak_rss_mb: number;
      cpu_s: number;
      cpu_wait: number | null;
      last_loss: number;
      flush_denormal: boolean;
      threads: number;
      torch: string;
      python: string;
      blas: string[];
    };

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function positiveInt(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be an integer >= ${min} (got '${text}')`);
  return n;
}

/**
 * Seconds the main thread has spent runnable but waiting for a CPU (Linux schedstat), or null elsewhere. The main
 * thread only: it runs the step on every TF.js backend used here, while V8's helper threads wait harmlessly.
 */
function runQueueWaitS(): number | null {
  try {
    const waitNs = Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]);
    return Number.isFinite(waitNs) ? waitNs / 1e9 : null;
  } catch {
    return null;
  }
}

function cellConfig(model: string, hidden: number): Config {
  return { ...defaultsOf(getCell(model).config), units: hidden };
}

// ---------------------------------------------------------------------------------------------------------
// Child side: one (model, backend), timed in a process of its own so that maxRSS is this job's alone.

interface JobOptions extends Shape {
  model: string;
  backend: string;
  warmup: number;
  steps: number;
  seed: number;
}

async function runJob(o: JobOptions): Promise<Row> {
  const engine = `tfjs ${o.backend}`;
  let device: string;
  try {
    device = (await selectBackend(o.backend)).device;
  } catch (err) {
    const unavailable = err instanceof WorkbenchError && err.code === 'backend_unavailable';
    return {
      status: unavailable ? 'unavailable' : 'failed',
      model: o.model,
      engine,
      reason: err instanceof Error ? err.message : String(err),
    };
  }
  const cell = getCell(o.model);
  const model = new Model(
    cell,
    cellConfig(o.model, o.hidden),
    { inputDim: INPUT_DIM, outputDim: OUTPUT_DIM, every: false },
    Rng.stream(o.seed, 'init'),
  );
  // The schema's defaults (Adam, no clipping) with the bench's lr, not the cell's trainDefaults (coRNN's lr is
  // 0.02): PyTorch runs Adam at 1e-3, and the learning rate does not change the work of a step anyway.
  const stepper = new Stepper(model, {
    ...defaultsOf(TRAIN_SCHEMA),
    optimizer: 'adam',
    lr: LR,
    batchSize: o.batch,
  });
  // One fixed batch of uniform inputs, as the PyTorch script: making data is not part of a training step.
  const dataRng = Rng.stream(o.seed, 'data');
  const batch: Batch = {
    x: dataRng.uniformArray(o.length * o.batch * INPUT_DIM, 0, 1),
    xShape: [o.length, o.batch, INPUT_DIM],
    y: dataRng.uniformArray(o.batch * OUTPUT_DIM, 0, 1),
    yShape: [o.batch, OUTPUT_DIM],
  };
  const noiseRng = Rng.stream(o.seed, 'noise');
  const rssBeforeStepsMb = process.memoryUsage().rss / 2 ** 20;
  const tensorsBefore = tf.memory().numTensors;
  const tensorsAfterStep: number[] = [];
  const timesMs: number[] = [];
  let lastLoss = Number.NaN;
  const total = o.warmup + o.steps;
  let wait0: number | null = null;
  let timed0 = 0;
  for (let i = 0; i < total; i++) {
    if (i === o.warmup) {
      wait0 = runQueueWaitS();
      timed0 = performance.now();
    }
    const t0 = performance.now();
    // Stepper.step reads the loss back (dataSync), so the step has finished when it returns, on any backend.
    lastLoss = stepper.step('mse', batch, noiseRng, LR).loss;
    const ms = performance.now() - t0;
    if (i >= o.warmup) timesMs.push(ms);
    tensorsAfterStep.push(tf.memory().numTensors);
    process.stderr.write(
      `[${o.model} / ${engine}] step ${i + 1}/${total}${i < o.warmup ? ' (warm-up)' : ''}: ${ms.toFixed(1)} ms\n`,
    );
  }
  const wait1 = runQueueWaitS();
  const timedS = (performance.now() - timed0) / 1000;
  const params = model.paramCount();
  const cpu = process.cpuUsage();
  stepper.dispose();
  model.dispose();
  return {
    status: 'ok',
    model: o.model,
    engine,
    device,
    params,
    lastLoss,
    warmup: o.warmup,
    steps: o.steps,
    medianMs: median(timesMs),
    minMs: Math.min(...timesMs),
    maxMs: Math.max(...timesMs),
    timesMs,
    cpuS: (cpu.user + cpu.system) / 1e6,
    otherCpu: null, // the parent measures it: it sees the whole job's wall time
    cpuWait: wait0 !== null && wait1 !== null ? (wait1 - wait0) / timedS : null,
    // maxRSS is in KiB: the high-water mark of this whole process (runtime, TF.js, WASM heap, tensors).
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    // The first step adds Adam's moments; a count that grows after it would mean the step leaks tensors.
    details: { rssBeforeStepsMb, tensorsBefore, tensorsAfterStep },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Parent side: spawn the jobs and the PyTorch script, then print the table.

interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderrTail: string;
  spawnError: Error | null;
}

/** Run a command; its stderr (progress lines) passes through live, its stdout is collected for the result. */
function runChild(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderrTail = '';
    let spawnError: Error | null = null;
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      process.stderr.write(s);
      stderrTail = (stderrTail + s).slice(-2000);
    });
    child.on('error', (err) => (spawnError = err));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderrTail, spawnError }));
  });
}

/** The last stdout line that parses as a JSON object, or null. */
function lastJsonLine(stdout: string): unknown {
  for (const line of stdout.trim().split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line) as unknown;
    } catch {
      // a stray line from a library that happens to start with '{'; keep looking
    }
  }
  return null;
}

function whyNoResult(o: ChildOutcome): string {
  if (o.spawnError) return o.spawnError.message;
  const lastLine = o.stderrTail.trim().split('\n').pop() ?? '';
  const how = o.signal ? `killed by ${o.signal}` : `exited with code ${o.code}`;
  return `${how} without a result${lastLine ? `: ${lastLine}` : ''}`;
}

async function spawnJob(o: JobOptions): Promise<Row> {
  const args = [
    ...process.execArgv,
    SELF,
    '--job',
    ...['--model', o.model, '--backend', o.backend],
    ...['--hidden', String(o.hidden), '--batch', String(o.batch), '--length', String(o.length)],
    ...['--warmup', String(o.warmup), '--steps', String(o.steps), '--seed', String(o.seed)],
  ];
  const outcome = await runChild(process.execPath, args);
  const row = lastJsonLine(outcome.stdout) as Row | null;
  return (
    row ?? { status: 'failed', model: o.model, engine: `tfjs ${o.backend}`, reason: whyNoResult(outcome) }
  );
}

interface TorchOptions extends Shape {
  python: string;
  threads: number;
  warmup: number;
  steps: number;
  seed: number;
  flushDenormal: boolean;
}

async function runTorch(model: string, o: TorchOptions): Promise<{ row: Row; info: TorchOutput | null }> {
  const engine = 'pytorch';
  if (!TORCH_MODELS.has(model))
    return {
      row: { status: 'unavailable', model, engine, reason: 'no PyTorch reference for this cell' },
      info: null,
    };
  const env = { ...process.env };
  // Only where Debian's OpenMP OpenBLAS is installed; elsewhere torch keeps the BLAS it finds by default.
  if (existsSync(OPENBLAS_OPENMP))
    env['LD_LIBRARY_PATH'] = [OPENBLAS_OPENMP, env['LD_LIBRARY_PATH']].filter(Boolean).join(':');
  const config = cellConfig(model, o.hidden);
  const args = [
    TORCH_SCRIPT,
    ...[
      '--model',
      model,
      '--hidden',
      String(o.hidden),
      '--batch',
      String(o.batch),
      '--length',
      String(o.length),
    ],
    ...['--input', String(INPUT_DIM), '--output', String(OUTPUT_DIM)],
    ...['--warmup', String(o.warmup), '--steps', String(o.steps), '--seed', String(o.seed)],
    ...['--threads', String(o.threads)],
    ...(model === 'cornn'
      ? [
          '--dt',
          String(config['dt']),
          '--gamma',
          String(config['gamma']),
          '--epsilon',
          String(config['epsilon']),
        ]
      : []),
    ...(o.flushDenormal ? [] : ['--no-flush-denormal']),
  ];
  const outcome = await runChild(o.python, args, env);
  const out = lastJsonLine(outcome.stdout) as TorchOutput | null;
  if (!out) return { row: { status: 'failed', model, engine, reason: whyNoResult(outcome) }, info: null };
  if (!out.ok) return { row: { status: 'unavailable', model, engine, reason: out.error }, info: out };
  return {
    row: {
      status: 'ok',
      model,
      engine: `pytorch ${out.threads} threads${out.flush_denormal ? ', FTZ' : ''}`,
      device: `cpu (torch ${out.torch})`,
      params: out.params,
      lastLoss: out.last_loss,
      warmup: out.warmup,
      steps: out.steps,
      medianMs: out.median_ms,
      minMs: out.min_ms,
      maxMs: out.max_ms,
      timesMs: out.times_ms,
      peakRssMb: out.peak_rss_mb,
      cpuS: out.cpu_s,
      otherCpu: null,
      cpuWait: out.cpu_wait,
      details: {
        forwardMedianMs: out.forward_median_ms,
        backwardMedianMs: out.backward_median_ms,
        blas: out.blas,
      },
    },
    info: out,
  };
}

/** /proc/stat counts in USER_HZ, which Linux fixes at 100 for user space whatever the kernel's HZ. */
const USER_HZ = 100;
/**
 * A job counts as contended when its threads waited for a CPU this share of the timed wall time or more (or,
 * where schedstat is missing, other processes took this much of the machine): its timing includes the wait.
 */
const CONTENDED_WAIT = 0.1;
const CONTENDED_OTHER_CPU = 0.15;

function contended(r: Row): boolean {
  if (r.status !== 'ok') return false;
  return r.cpuWait !== null ? r.cpuWait >= CONTENDED_WAIT : (r.otherCpu ?? 0) >= CONTENDED_OTHER_CPU;
}

/** CPU seconds the whole machine has spent busy since boot (first line of /proc/stat), or null off Linux. */
function machineBusySeconds(): number | null {
  try {
    const firstLine = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    const v = firstLine.trim().split(/\s+/).slice(1, 9).map(Number);
    if (v.length < 8 || v.some((n) => !Number.isFinite(n))) return null;
    const total = v.reduce((a, b) => a + b, 0);
    return (total - v[3]! - v[4]!) / USER_HZ;
  } catch {
    return null;
  }
}

/** Starts watching the machine's CPU; `finish(row)` fills in the share other processes took meanwhile. */
function otherCpuProbe(cores: number): { finish(row: Row): void } {
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  return {
    finish(row) {
      const wallS = (performance.now() - t0) / 1000;
      const busy1 = machineBusySeconds();
      if (row.status === 'ok' && busy0 !== null && busy1 !== null)
        row.otherCpu = Math.max(0, (busy1 - busy0 - row.cpuS) / (wallS * cores));
    },
  };
}

interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
}

/** CPU model and core count from /proc/cpuinfo (Linux), else from os.cpus(). */
function machine(): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  let cores = os.availableParallelism();
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    cpu = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpu;
    cores = (info.match(/^processor\s*:/gm) ?? []).length || cores;
  } catch {
    // not Linux: os.cpus() has the same facts, less exactly named
  }
  return { cpu, cores, memoryGiB: os.totalmem() / 2 ** 30, platform: `${process.platform}-${process.arch}` };
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

/** The results as a Markdown table, with the reasons for missing rows and each engine's device as notes below. */
function table(rows: readonly Row[]): string {
  const torchMedian = new Map<string, number>();
  for (const r of rows)
    if (r.status === 'ok' && r.engine.startsWith('pytorch')) torchMedian.set(r.model, r.medianMs);
  const notes: string[] = [];
  const noteFor = (text: string): number => {
    const at = notes.indexOf(text);
    return at >= 0 ? at + 1 : notes.push(text);
  };
  const header = [
    'model',
    'engine',
    'params',
    'timed steps',
    'median ms/step',
    'min–max ms',
    'peak RSS MB',
    '× PyTorch',
    'CPU wait',
    'other CPU',
  ];
  const body = rows.map((r) => {
    if (r.status !== 'ok') {
      const cells = [r.model, r.engine, '', `${r.status} [${noteFor(`${r.engine}: ${r.reason}`)}]`];
      return [...cells, ...header.slice(cells.length).map(() => '')];
    }
    noteFor(`${r.engine}: ${r.device}`);
    const ref = torchMedian.get(r.model);
    return [
      r.model,
      r.engine,
      String(r.params),
      `${r.steps} (+${r.warmup} warm-up)`,
      fmt(r.medianMs),
      `${fmt(r.minMs)}–${fmt(r.maxMs)}`,
      r.peakRssMb.toFixed(0),
      ref === undefined ? '–' : (r.medianMs / ref).toFixed(2),
      r.cpuWait === null ? '?' : `${(r.cpuWait * 100).toFixed(0)}%`,
      r.otherCpu === null ? '?' : `${(r.otherCpu * 100).toFixed(0)}%`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    '',
    ...notes.map((n, i) => `[${i + 1}] ${n}`),
  ].join('\n');
}

/** One header line on the PyTorch that ran: version, threads, FTZ and which BLAS it loaded; or why none ran. */
function describeTorch(info: TorchOutput | null, rows: readonly Row[]): string {
  if (info?.ok === true) {
    const blas = info.blas.map((path) => path.split('/').pop()).join(', ') || 'BLAS unknown';
    const ftz = info.flush_denormal ? 'on' : 'off';
    return `torch ${info.torch} (python ${info.python}, ${info.threads} threads, flush denormal ${ftz}; ${blas})`;
  }
  if (info?.ok === false) return `unavailable: ${info.error}`;
  const problem = rows.find((r) => r.engine === 'pytorch' && r.status !== 'ok');
  return problem && problem.status !== 'ok' ? `${problem.status}: ${problem.reason}` : 'not run';
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      job: { type: 'boolean', default: false },
      model: { type: 'string' },
      backend: { type: 'string' },
      models: { type: 'string', default: 'cornn,lstm' },
      // cheapest first: BACKEND_NAMES is in auto-selection order (node-gpu first)
      backends: { type: 'string', default: [...BACKEND_NAMES].reverse().join(',') },
      warmup: { type: 'string' },
      steps: { type: 'string' },
      hidden: { type: 'string' },
      batch: { type: 'string' },
      length: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      'no-torch': { type: 'boolean', default: false },
      'torch-warmup': { type: 'string' },
      'torch-steps': { type: 'string' },
      'torch-threads': { type: 'string' },
      'torch-no-flush-denormal': { type: 'boolean', default: false },
      python: { type: 'string', default: '/usr/bin/python3' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (a.help) {
    console.log(USAGE);
    return;
  }
  const shape: Shape = {
    hidden: positiveInt('hidden', a.hidden, 128),
    batch: positiveInt('batch', a.batch, 64),
    length: positiveInt('length', a.length, 256),
  };
  const seed = positiveInt('seed', a.seed, 0, 0);

  if (a.job) {
    if (!a.model || !a.backend) throw new Error('--job needs --model and --backend');
    const row = await runJob({
      ...shape,
      model: a.model,
      backend: a.backend,
      warmup: positiveInt('warmup', a.warmup, 1, 0),
      steps: positiveInt('steps', a.steps, 3),
      seed,
    });
    console.log(JSON.stringify(row));
    return;
  }

  const models = a.models.split(',').filter(Boolean);
  models.forEach((m) => getCell(m)); // an unknown name fails here, before minutes of timing
  const backends = a.backends.split(',').filter(Boolean);
  for (const b of backends)
    if (!(BACKEND_NAMES as readonly string[]).includes(b))
      throw new Error(`unknown backend '${b}' (choose from ${BACKEND_NAMES.join(', ')})`);
  const torchOptions: TorchOptions = {
    ...shape,
    python: a.python,
    // two: the cores of the machine these figures were taken on (and the engine-probe reference's setting)
    threads: positiveInt('torch-threads', a['torch-threads'], 2),
    warmup: positiveInt('torch-warmup', a['torch-warmup'], 5, 0),
    steps: positiveInt('torch-steps', a['torch-steps'], 20),
    seed,
    flushDenormal: !a['torch-no-flush-denormal'],
  };

  const m = machine();
  const rows: Row[] = [];
  let torchInfo: TorchOutput | null = null;
  // A backend missing for one model is missing for all: ask once, report it on every model's row.
  const missing = new Map<string, string>();
  for (const model of models) {
    for (const backend of backends as BackendName[]) {
      const known = missing.get(backend);
      if (known !== undefined) {
        rows.push({ status: 'unavailable', model, engine: `tfjs ${backend}`, reason: known });
        continue;
      }
      const rounds = DEFAULT_ROUNDS[backend];
      const probe = otherCpuProbe(m.cores);
      const row = await spawnJob({
        ...shape,
        model,
        backend,
        warmup: positiveInt('warmup', a.warmup, rounds.warmup, 0),
        steps: positiveInt('steps', a.steps, rounds.steps),
        seed,
      });
      probe.finish(row);
      if (row.status === 'unavailable') missing.set(backend, row.reason);
      rows.push(row);
    }
    if (!a['no-torch']) {
      const probe = otherCpuProbe(m.cores);
      const { row, info } = await runTorch(model, torchOptions);
      probe.finish(row);
      rows.push(row);
      torchInfo = info ?? torchInfo;
    }
  }

  const versions = libraryVersions();
  const date = new Date().toISOString();
  if (a.json) {
    console.log(JSON.stringify({ date, machine: m, versions, shape, torch: torchInfo, rows }));
    return;
  }
  const torchLine = a['no-torch'] ? 'skipped (--no-torch)' : describeTorch(torchInfo, rows);
  const busy = rows.filter(contended).map((r) => `${r.model} / ${r.engine}`);
  const libs = Object.entries(versions)
    .filter(([k]) => k.startsWith('@tensorflow/'))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(
    [
      '',
      `RNN Workbench training-step bench, ${date}`,
      `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB RAM, ${m.platform}`,
      `node ${versions['node']}; ${libs}`,
      `pytorch: ${torchLine}`,
      `step: forward over ${shape.length} steps, hidden ${shape.hidden}, batch ${shape.batch}, input ${INPUT_DIM}, ` +
        `output ${OUTPUT_DIM} (last step), MSE, BPTT, Adam lr ${LR}; peak RSS = maxRSS of the process that ran it`,
      '',
      table(rows),
      ...(busy.length > 0
        ? [
            '',
            `WARNING: the machine was shared: ${busy.join('; ')} waited for a CPU ${CONTENDED_WAIT * 100}% ` +
              `of the timed time or more; those timings include the wait (re-run on an idle machine).`,
          ]
        : []),
      '',
    ].join('\n'),
  );
}

await main();
