// Fused-engine step benchmark: ms per training step of the fused coRNN / LSTM kernels beside PyTorch's, GEMM GFLOP/s.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultsOf, type Config } from '../core/api/params.ts';
import { libraryVersions, selectBackend } from '../core/engine/backend.ts';
import type { Gemm } from '../core/engine/kernels/gemm.ts';
import { createWasmGemm, defaultThreads, type WasmGemm } from '../core/engine/kernels/wasm-gemm.ts';
import { Rng } from '../core/engine/rng.ts';
import { FusedSequence } from '../core/models/fused/fused.ts';
import type { FusedKernel } from '../core/models/fused/kernel.ts';
import { fusedKernelFor } from '../core/models/fused/registry.ts';
import { Model } from '../core/models/model.ts';
import { getCell } from '../core/models/registry.ts';
import type { Batch } from '../core/tasks/task.ts';
import { TRAIN_SCHEMA } from '../core/training/config.ts';
import { fusedBytes } from '../core/training/engine.ts';
import { Stepper } from '../core/training/loop.ts';

const USAGE = `node bench/fused-step.ts [options]

Times one training step (forward over the whole sequence + loss + BPTT + Adam, exactly Stepper.step of a run) on
the fused engine for coRNN and LSTM at two sizes, each in a fresh child process, then PyTorch's (flush-to-zero on,
same shapes, Adam) for the same; prints the ratio, the GEMM GFLOP/s reached against the WASM SIMD peak, peak
memory, and a psMNIST epoch extrapolated from the psMNIST-size steps.

  --models cornn,lstm         --sizes small,psmnist
      small:   hidden 128, batch 64, T 256, input 1, 1 output, MSE
      psmnist: hidden 256, batch 120, T 784, input 1, 10 classes, cross-entropy
  --threads N                 GEMM threads (default: the machine's cores, at most 8)
  --tfjs wasm                 TF.js backend for the readout, loss and Adam (wasm, cpu)
  --warmup N --steps N        ours (default small 2 + 5, psmnist 1 + 3)
  --torch-warmup N --torch-steps N   PyTorch's (default small 5 + 20, psmnist 2 + 5)
  --torch-threads 2           --no-torch        --python /usr/bin/python3
  --json`;

const SELF = fileURLToPath(import.meta.url);
const TORCH_SCRIPT = fileURLToPath(new URL('./torch_step.py', import.meta.url));
const OPENBLAS_OPENMP = '/usr/lib/x86_64-linux-gnu/openblas-openmp';
const LR = 1e-3;
/** psMNIST's training set as the coRNN paper splits it (60,000 − 3,000 validation). */
const PSMNIST_TRAIN = 57_000;

interface Size {
  hidden: number;
  batch: number;
  length: number;
  output: number;
  loss: 'mse' | 'ce';
  warmup: number;
  steps: number;
  torchWarmup: number;
  torchSteps: number;
}
const SIZES: Record<string, Size> = {
  small: {
    hidden: 128,
    batch: 64,
    length: 256,
    output: 1,
    loss: 'mse',
    warmup: 2,
    steps: 5,
    torchWarmup: 5,
    torchSteps: 20,
  },
  psmnist: {
    hidden: 256,
    batch: 120,
    length: 784,
    output: 10,
    loss: 'ce',
    warmup: 1,
    steps: 3,
    torchWarmup: 2,
    torchSteps: 5,
  },
};

interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
  timesMs: number[];
  forwardMs: number;
  backwardMs: number;
  peakRssMb: number;
  cpuWait: number | null;
  lastLoss: number;
}

interface OurRow extends Timing {
  engine: string;
  /** CPU time of the whole process (all threads) per timed step: unaffected by waiting for a CPU. */
  cpuMs: number;
  gemmMs: number;
  gemmGflops: number;
  tapeMb: number;
  wasmMemoryMb: number;
}

type TorchRow = Timing & { threads: number; ftz: boolean; torch: string };

const median = (v: readonly number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function runQueueWaitS(): number | null {
  try {
    const ns = Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]);
    return Number.isFinite(ns) ? ns / 1e9 : null;
  } catch {
    return null;
  }
}

/** A Gemm that counts the time and floating-point operations of every product it passes on. */
function countingGemm(inner: Gemm): Gemm & { ms: number; flops: number } {
  const g = {
    name: inner.name,
    ms: 0,
    flops: 0,
    alloc: (n: number) => inner.alloc(n),
    free: (b: Float32Array) => inner.free(b),
    ...(inner.wasmModule ? { wasmModule: (wat: string) => inner.wasmModule!(wat) } : {}),
    gemm(...args: Parameters<Gemm['gemm']>) {
      const t0 = performance.now();
      inner.gemm(...args);
      g.ms += performance.now() - t0;
      g.flops += 2 * args[2] * args[3] * args[4];
    },
  };
  return g;
}

/** A FusedKernel that times its forward and backward. */
function timedKernel(k: FusedKernel, clock: { forward: number; backward: number }): FusedKernel {
  return {
    ...k,
    forward(...args) {
      const t0 = performance.now();
      const r = k.forward(...args);
      clock.forward += performance.now() - t0;
      return r;
    },
    backward(...args) {
      const t0 = performance.now();
      const r = k.backward(...args);
      clock.backward += performance.now() - t0;
      return r;
    },
  };
}

// -------------------------------------------------------------------------------------------------------------
// Child side: one (model, size) on the fused engine.

async function ourJob(modelName: string, size: Size, threads: number, tfjs: string): Promise<OurRow> {
  await selectBackend(tfjs);
  const cell = getCell(modelName);
  const config: Config = { ...defaultsOf(cell.config), units: size.hidden };
  const model = new Model(
    cell,
    config,
    { inputDim: 1, outputDim: size.output, every: false },
    Rng.stream(0, 'init'),
  );
  const stepper = new Stepper(model, {
    ...defaultsOf(TRAIN_SCHEMA),
    optimizer: 'adam',
    lr: LR,
    batchSize: size.batch,
  });
  const wasmGemm: WasmGemm = await createWasmGemm({ threads });
  const gemm = countingGemm(wasmGemm);
  const clock = { forward: 0, backward: 0 };
  const kernel = fusedKernelFor(modelName);
  if (!kernel) throw new Error(`${modelName} has no fused kernel`);
  model.fused = new FusedSequence(timedKernel(kernel, clock), gemm);
  const { length: T, batch: B } = size;
  const rng = Rng.stream(0, 'data');
  const batch: Batch = {
    x: rng.uniformArray(T * B, 0, 1),
    xShape: [T, B, 1],
    y:
      size.loss === 'mse'
        ? rng.uniformArray(B * size.output, 0, 1)
        : Int32Array.from({ length: B }, () => rng.int(size.output)),
    yShape: size.loss === 'mse' ? [B, size.output] : [B],
  };
  const noise = Rng.stream(0, 'noise');
  const times: number[] = [];
  const fwd: number[] = [];
  const bwd: number[] = [];
  let gemmMs = 0;
  let gemmFlops = 0;
  let lastLoss = NaN;
  let wait0: number | null = null;
  let timed0 = 0;
  let cpu0 = process.cpuUsage();
  for (let i = 0; i < size.warmup + size.steps; i++) {
    if (i === size.warmup) {
      wait0 = runQueueWaitS();
      timed0 = performance.now();
      cpu0 = process.cpuUsage();
      gemm.ms = 0;
      gemm.flops = 0;
    }
    clock.forward = 0;
    clock.backward = 0;
    const t0 = performance.now();
    lastLoss = stepper.step(size.loss, batch, noise, LR).loss;
    const ms = performance.now() - t0;
    process.stderr.write(
      `  ours ${modelName} step ${i + 1}/${size.warmup + size.steps}: ${ms.toFixed(0)} ms\n`,
    );
    if (i >= size.warmup) {
      times.push(ms);
      fwd.push(clock.forward);
      bwd.push(clock.backward);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  gemmMs = gemm.ms / size.steps;
  gemmFlops = gemm.flops / size.steps;
  const wait1 = runQueueWaitS();
  const timedS = (performance.now() - timed0) / 1000;
  const tape = fusedBytes(model.fused, model, { T, D: 1, B, evalB: B });
  const row: OurRow = {
    engine: `fused ${wasmGemm.name} + tfjs ${tfjs}`,
    cpuMs: (cpu.user + cpu.system) / 1000 / size.steps,
    medianMs: median(times),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    timesMs: times.map((t) => Math.round(t * 10) / 10),
    forwardMs: median(fwd),
    backwardMs: median(bwd),
    gemmMs,
    gemmGflops: gemmFlops / gemmMs / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    cpuWait: wait0 !== null && wait1 !== null ? (wait1 - wait0) / timedS : null,
    lastLoss,
    tapeMb: tape / 2 ** 20,
    wasmMemoryMb: wasmGemm.memoryBytes() / 2 ** 20,
  };
  model.fused.dispose();
  wasmGemm.dispose();
  stepper.dispose();
  model.dispose();
  return row;
}

/** GFLOP/s of the GEMM on an in-cache problem (the kernel's practical peak here), 1 thread and `threads`. */
async function peakJob(
  threads: number,
): Promise<{ oneThread: number; threads: number; all: number; relaxed: boolean }> {
  const measure = async (t: number) => {
    const g = await createWasmGemm({ threads: t });
    const [M, N, K] = [128 * t, 256, 256];
    const A = g.alloc(M * K);
    const B = g.alloc(K * N);
    const C = g.alloc(M * N);
    const r = Rng.stream(1, 'peak');
    A.set(r.uniformArray(M * K, -1, 1));
    B.set(r.uniformArray(K * N, -1, 1));
    let best = 0;
    for (let rep = 0; rep < 7; rep++) {
      const n = 20;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) g.gemm(false, false, M, N, K, A, B, 0, C);
      best = Math.max(best, (2 * M * N * K * n) / (performance.now() - t0) / 1e6);
    }
    const relaxed = g.relaxed;
    g.dispose();
    return { gflops: best, relaxed };
  };
  const one = await measure(1);
  const all = threads > 1 ? (await measure(threads)).gflops : one.gflops;
  return { oneThread: one.gflops, threads, all, relaxed: one.relaxed };
}

// -------------------------------------------------------------------------------------------------------------
// Parent side.

function runChild(
  cmd: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      process.stderr.write(d);
    });
    child.on('error', (err) => resolve({ stdout, stderr: stderr + String(err), code: -1 }));
    child.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}

function lastJson<T>(text: string): T | null {
  for (const line of text.trim().split('\n').reverse())
    try {
      return JSON.parse(line) as T;
    } catch {
      // progress line
    }
  return null;
}

interface TorchJson {
  ok: boolean;
  error?: string;
  median_ms: number;
  min_ms: number;
  max_ms: number;
  times_ms: number[];
  forward_median_ms: number;
  backward_median_ms: number;
  peak_rss_mb: number;
  cpu_wait: number | null;
  last_loss: number;
  threads: number;
  flush_denormal: boolean;
  torch: string;
}

async function torchRow(
  model: string,
  size: Size,
  o: { python: string; threads: number; warmup?: number; steps?: number },
): Promise<TorchRow | string> {
  const config = { ...defaultsOf(getCell(model).config) };
  const env = { ...process.env };
  if (existsSync(OPENBLAS_OPENMP))
    env['LD_LIBRARY_PATH'] = [OPENBLAS_OPENMP, env['LD_LIBRARY_PATH']].filter(Boolean).join(':');
  const args = [
    TORCH_SCRIPT,
    ...[
      '--model',
      model,
      '--hidden',
      String(size.hidden),
      '--batch',
      String(size.batch),
      '--length',
      String(size.length),
    ],
    ...['--input', '1', '--output', String(size.output), '--loss', size.loss],
    ...['--warmup', String(o.warmup ?? size.torchWarmup), '--steps', String(o.steps ?? size.torchSteps)],
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
  ];
  const out = await runChild(o.python, args, env);
  const j = lastJson<TorchJson>(out.stdout);
  if (!j) return `failed: ${out.stderr.trim().split('\n').pop() ?? ''}`;
  if (!j.ok) return `unavailable: ${j.error ?? ''}`;
  return {
    medianMs: j.median_ms,
    minMs: j.min_ms,
    maxMs: j.max_ms,
    timesMs: j.times_ms,
    forwardMs: j.forward_median_ms,
    backwardMs: j.backward_median_ms,
    peakRssMb: j.peak_rss_mb,
    cpuWait: j.cpu_wait,
    lastLoss: j.last_loss,
    threads: j.threads,
    ftz: j.flush_denormal,
    torch: j.torch,
  };
}

/** Nominal clock of the first CPU (MHz, /proc/cpuinfo), or null. */
function cpuMhz(): number | null {
  try {
    const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const pct = (x: number | null) => (x === null ? '?' : `${(x * 100).toFixed(0)}%`);
const f0 = (x: number) => x.toFixed(0);

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      job: { type: 'string' },
      model: { type: 'string' },
      size: { type: 'string' },
      models: { type: 'string', default: 'cornn,lstm' },
      sizes: { type: 'string', default: 'small,psmnist' },
      threads: { type: 'string' },
      tfjs: { type: 'string', default: 'wasm' },
      warmup: { type: 'string' },
      steps: { type: 'string' },
      'torch-warmup': { type: 'string' },
      'torch-steps': { type: 'string' },
      'torch-threads': { type: 'string', default: '2' },
      'no-torch': { type: 'boolean', default: false },
      python: { type: 'string', default: '/usr/bin/python3' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (a.help) {
    console.log(USAGE);
    return;
  }
  const threads = a.threads ? Number(a.threads) : defaultThreads();
  const override = (s: Size): Size => ({
    ...s,
    ...(a.warmup ? { warmup: Number(a.warmup) } : {}),
    ...(a.steps ? { steps: Number(a.steps) } : {}),
  });
  if (a.job === 'step') {
    const size = override(SIZES[a.size!]!);
    console.log(JSON.stringify(await ourJob(a.model!, size, threads, a.tfjs)));
    return;
  }
  if (a.job === 'peak') {
    console.log(JSON.stringify(await peakJob(threads)));
    return;
  }

  const models = a.models.split(',').filter(Boolean);
  const sizes = a.sizes.split(',').filter(Boolean);
  for (const s of sizes) if (!SIZES[s]) throw new Error(`unknown size '${s}' (small, psmnist)`);
  const childArgs = (extra: string[]) => [
    ...process.execArgv,
    SELF,
    '--threads',
    String(threads),
    '--tfjs',
    a.tfjs,
    ...extra,
  ];
  process.stderr.write(`GEMM peak (in-cache, 1 and ${threads} threads)...\n`);
  const peak = lastJson<{ oneThread: number; threads: number; all: number; relaxed: boolean }>(
    (await runChild(process.execPath, childArgs(['--job', 'peak']))).stdout,
  );
  const results: { model: string; size: string; ours: OurRow | string; torch: TorchRow | string | null }[] =
    [];
  for (const size of sizes)
    for (const model of models) {
      const s = override(SIZES[size]!);
      process.stderr.write(`${model} / ${size}: fused engine...\n`);
      const out = await runChild(
        process.execPath,
        childArgs([
          '--job',
          'step',
          '--model',
          model,
          '--size',
          size,
          ...(a.warmup ? ['--warmup', a.warmup] : []),
          ...(a.steps ? ['--steps', a.steps] : []),
        ]),
      );
      const ours = lastJson<OurRow>(out.stdout) ?? `failed: ${out.stderr.trim().split('\n').pop() ?? ''}`;
      let torch: TorchRow | string | null = null;
      if (!a['no-torch']) {
        process.stderr.write(`${model} / ${size}: PyTorch...\n`);
        torch = await torchRow(model, s, {
          python: a.python,
          threads: Number(a['torch-threads']),
          ...(a['torch-warmup'] ? { warmup: Number(a['torch-warmup']) } : {}),
          ...(a['torch-steps'] ? { steps: Number(a['torch-steps']) } : {}),
        });
      }
      results.push({ model, size, ours, torch });
    }

  const mhz = cpuMhz();
  const flopsPerCycle = peak?.relaxed ? 16 : 8; // 2 FMA pipes × 4 lanes × 2, or mul + add on 2 pipes
  const nominal = mhz ? (mhz / 1000) * flopsPerCycle : null;
  if (a.json) {
    console.log(
      JSON.stringify({ date: new Date().toISOString(), threads, peak, nominalPerCore: nominal, results }),
    );
    return;
  }
  const versions = libraryVersions();
  const lines: string[] = [
    '',
    `RNN Workbench fused-engine step bench, ${new Date().toISOString()}`,
    `machine: ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; node ${versions['node']}`,
    `GEMM: ${threads} thread(s), ${peak?.relaxed ? 'f32x4.relaxed_madd (FMA)' : 'f32x4.mul + f32x4.add'}; in-cache peak ` +
      `${peak ? `${peak.oneThread.toFixed(1)} GFLOP/s on 1 thread, ${peak.all.toFixed(1)} on ${threads}` : '?'}` +
      (nominal
        ? `; nominal ${nominal.toFixed(1)} GFLOP/s per core (${mhz} MHz × ${flopsPerCycle} flop/cycle)`
        : ''),
    '',
    '| model | size | ours ms/step (min–max) | fwd / bwd ms | GEMM GFLOP/s (share of step) | peak RSS MB | PyTorch ms/step (min–max) | fwd / bwd ms | peak RSS MB | ours / PyTorch | CPU wait ours / torch |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const o = r.ours;
    const t = r.torch;
    const oc =
      typeof o === 'string'
        ? [o, '', '', '']
        : [
            `${f0(o.medianMs)} (${f0(o.minMs)}–${f0(o.maxMs)}; CPU ${f0(o.cpuMs)})`,
            `${f0(o.forwardMs)} / ${f0(o.backwardMs)}`,
            `${o.gemmGflops.toFixed(1)} (${pct(o.gemmMs / o.medianMs)})`,
            f0(o.peakRssMb),
          ];
    const tc =
      t === null
        ? ['skipped', '', '']
        : typeof t === 'string'
          ? [t, '', '']
          : [
              `${f0(t.medianMs)} (${f0(t.minMs)}–${f0(t.maxMs)})`,
              `${f0(t.forwardMs)} / ${f0(t.backwardMs)}`,
              f0(t.peakRssMb),
            ];
    const ratio =
      typeof o !== 'string' && t && typeof t !== 'string' ? (o.medianMs / t.medianMs).toFixed(2) : '–';
    const waits = `${typeof o === 'string' ? '?' : pct(o.cpuWait)} / ${t && typeof t !== 'string' ? pct(t.cpuWait) : '?'}`;
    lines.push(`| ${r.model} | ${r.size} | ${oc.join(' | ')} | ${tc.join(' | ')} | ${ratio} | ${waits} |`);
  }
  for (const r of results.filter((x) => x.size === 'psmnist')) {
    const steps = Math.ceil(PSMNIST_TRAIN / SIZES['psmnist']!.batch);
    const min = (ms: number) => ((ms * steps) / 60000).toFixed(1);
    const o = typeof r.ours === 'string' ? null : r.ours;
    const t = r.torch && typeof r.torch !== 'string' ? r.torch : null;
    lines.push(
      '',
      `psMNIST epoch, ${r.model} ${SIZES['psmnist']!.hidden} units (${PSMNIST_TRAIN} sequences = ${steps} steps of 120, extrapolated ` +
        `from the medians above): ours ${o ? `${min(o.medianMs)} min` : '?'}, PyTorch ${t ? `${min(t.medianMs)} min` : '?'}`,
    );
  }
  lines.push(
    '',
    'CPU wait: share of the timed wall time the main thread sat runnable without a CPU (/proc/self/schedstat); at 10% or',
    'more the machine was shared and the timing includes the wait. GEMM share: time inside GEMM calls over the step.',
    '',
  );
  console.log(lines.join('\n'));
}

await main();
