// Gradient contrast on the adding problem: ‖∂L/∂h_t‖ over t for a tanh RNN, coRNN and expRNN while they train a few
// dozen steps; draws heat maps (training step × time step) and curves to SVG (and PNG through Chromium when it is
// there), writes the numbers as CSV, and prints ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ per model. Options: --help.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '../core/engine/tf.ts';
import { selectBackend } from '../core/engine/backend.ts';
import { Rng } from '../core/engine/rng.ts';
import { gradientOverTime, gradRatio, type OverTime } from '../core/diagnostics/over-time.ts';
import { Model } from '../core/models/model.ts';
import { getCell } from '../core/models/registry.ts';
import { getTask } from '../core/tasks/registry.ts';
import { lrAt } from '../core/training/config.ts';
import { lossOf, targetTensor } from '../core/training/losses.ts';
import { Stepper } from '../core/training/loop.ts';
import { resolveRunSpec } from '../core/training/spec.ts';
import {
  gridSvg,
  heatmapCsv,
  heatmapSvg,
  lineFigureSvg,
  linesCsv,
  type FigureLine,
  type HeatmapFigure,
  type Svg,
} from '../renderer/src/lib/figure/svg.ts';
import { colorOf } from '../renderer/src/lib/chart/palette.ts';
import { CHROMIUM_ARGS } from '../test/renderer/harness.ts';

const HELP = `node bench/gradient-contrast.ts [options]
  --seq-len N     adding-problem length T (default 200)
  --steps N       training steps per model (default 30; 0: initialisation only)
  --every N       probe every N steps (default 5)
  --probe N       probe batch size, the first N held-out sequences (default 32)
  --seed N        seed (default 1)
  --backend B     TF.js backend (default wasm)
  --out DIR       where the figure and CSV go (default test-output/gradient-contrast)
  --chromium P    Chromium for the PNG (default $CHROMIUM_PATH or /usr/bin/chromium; absent: SVG only)`;

const { values: o } = parseArgs({
  options: {
    'seq-len': { type: 'string', default: '200' },
    steps: { type: 'string', default: '30' },
    every: { type: 'string', default: '5' },
    probe: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string', default: 'test-output/gradient-contrast' },
    chromium: { type: 'string', default: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium' },
    help: { type: 'boolean', default: false },
  },
});
if (o.help) {
  process.stdout.write(HELP + '\n');
  process.exit(0);
}
const T = Number(o['seq-len']);
const STEPS = Number(o.steps);
const EVERY = Math.max(1, Number(o.every));
const PROBE = Number(o.probe);
const SEED = Number(o.seed);

/**
 * The models: each with its paper's defaults (coRNN: the official adding settings Δt 0.06, γ 66, ε 15), plus coRNN
 * with its sMNIST settings (Δt 0.042, γ 2.7, ε 4.7). Why both: coRNN's linearised step has determinant 1 − Δt·ε
 * (the damping), so its state gradient shrinks by about √(1 − Δt·ε) per step unless Δt·ε is small; the adding
 * defaults (Δt·ε = 0.9) damp hard, the sMNIST ones much less.
 */
const MODELS: { label: string; arch: string; set: Record<string, number> }[] = [
  { label: 'tanh RNN', arch: 'rnn-tanh', set: {} },
  { label: 'coRNN (adding: Δt 0.06, γ 66, ε 15)', arch: 'cornn', set: {} },
  {
    label: 'coRNN (sMNIST: Δt 0.042, γ 2.7, ε 4.7)',
    arch: 'cornn',
    set: { 'arch.dt': 0.042, 'arch.gamma': 2.7, 'arch.epsilon': 4.7 },
  },
  { label: 'expRNN', arch: 'exprnn', set: {} },
];

interface Result {
  label: string;
  arch: string;
  steps: number[];
  probes: OverTime[];
  trainLoss: number;
  msPerStep: number;
}

const env = await selectBackend(o.backend);
process.stderr.write(
  `backend ${env.backend} (${env.device}); adding T = ${T}, ${STEPS} steps, probe every ${EVERY}\n`,
);
const task = getTask('adding');

function runModel(m: (typeof MODELS)[number]): Result {
  const spec = resolveRunSpec(
    { arch: m.arch, task: 'adding', seed: SEED, steps: STEPS, set: { seqLen: T, evalSize: PROBE, ...m.set } },
    () => SEED,
  );
  const cell = getCell(spec.arch);
  const data = task.data(spec.taskConfig, SEED);
  const model = new Model(cell, spec.archConfig, task.shape(spec.taskConfig), Rng.stream(SEED, 'init'));
  const stepper = new Stepper(model, spec.trainConfig);
  const dataRng = Rng.stream(SEED, 'data');
  const noiseRng = Rng.stream(SEED, 'noise');
  const probe = data.evalBatches(PROBE)[0]!;
  const x = tf.tensor3d(probe.x, probe.xShape);
  const y = targetTensor(probe);
  const out: Result = { label: m.label, arch: m.arch, steps: [], probes: [], trainLoss: NaN, msPerStep: 0 };
  const measure = (step: number) => {
    out.steps.push(step);
    out.probes.push(gradientOverTime(model, x, y, (p, t) => lossOf('mse', p, t)));
  };
  const tc = spec.trainConfig;
  let spent = 0;
  try {
    measure(0);
    for (let step = 1; step <= STEPS; step++) {
      const batch = data.trainBatch(tc['batchSize'] as number, dataRng);
      const lr = lrAt(
        tc['lr'] as number,
        step - 1,
        tc['lrDecayEvery'] as number,
        tc['lrDecayFactor'] as number,
      );
      const t0 = performance.now();
      out.trainLoss = stepper.step('mse', batch, noiseRng, lr).loss;
      spent += performance.now() - t0;
      if (step % EVERY === 0 || step === STEPS) measure(step);
      process.stderr.write(`\r${m.label}: step ${step}/${STEPS}`);
    }
    if (STEPS > 0) process.stderr.write('\n');
  } finally {
    x.dispose();
    y.dispose();
    stepper.dispose();
    model.dispose();
  }
  out.msPerStep = STEPS > 0 ? spent / STEPS : 0;
  return out;
}

const results = MODELS.map(runModel);

/** A ratio that underflowed float32 (‖∂L/∂h_1‖ = 0) is printed as a bound. */
const fmtRatio = (r: number) =>
  r === 0 ? '0 (‖∂L/∂h_1‖ underflows float32: < 1e-38)' : Number.isFinite(r) ? r.toExponential(3) : String(r);

// Figure: one heat map per model (log10 ‖∂L/∂h_t‖), then the curves at initialisation and at the last probe.
const ts = Array.from({ length: T }, (_, i) => i + 1);
// One colour scale for every heat map, so that the panels compare (log10 of the positive norms seen).
const logs = results.flatMap((r) =>
  r.probes.flatMap((p) =>
    Array.from(p.gradNorms)
      .filter((g) => g > 0)
      .map(Math.log10),
  ),
);
const range = { lo: Math.min(...logs), hi: Math.max(...logs) };
const heatmaps: HeatmapFigure[] = results.map((r) => ({
  title: r.label,
  xTitle: 'time step t',
  yTitle: 'training step',
  xs: ts,
  ys: r.steps,
  values: r.probes.map((p) => Array.from(p.gradNorms)),
  log: true,
  colorbarTitle: '‖∂L/∂h_t‖',
  range,
  width: 560,
  height: 300,
}));
const curve = (which: 'first' | 'last'): FigureLine[] =>
  results.map((r, i) => {
    const p = which === 'first' ? r.probes[0]! : r.probes[r.probes.length - 1]!;
    return { label: r.label, color: colorOf(i), data: ts.map((t) => ({ x: t, y: p.gradNorms[t - 1]! })) };
  });
const lastStep = results[0]?.steps.at(-1) ?? 0;
const panels: Svg[] = [
  ...heatmaps.map(heatmapSvg),
  lineFigureSvg({
    title: '‖∂L/∂h_t‖ at initialisation',
    xTitle: 'time step t',
    yTitle: '‖∂L/∂h_t‖',
    logY: true,
    lines: curve('first'),
    legend: true,
    width: 560,
    height: 300,
  }),
  lineFigureSvg({
    title: `‖∂L/∂h_t‖ after ${lastStep} training steps`,
    xTitle: 'time step t',
    yTitle: '‖∂L/∂h_t‖',
    logY: true,
    lines: curve('last'),
    legend: true,
    width: 560,
    height: 300,
  }),
];
const figure = gridSvg(panels, 2);
const outDir = path.resolve(o.out);
fs.mkdirSync(outDir, { recursive: true });
const svgPath = path.join(outDir, 'gradient-contrast.svg');
fs.writeFileSync(svgPath, figure.svg);
fs.writeFileSync(
  path.join(outDir, 'gradient-contrast.csv'),
  results.map((r, i) => `# ${r.label}\n` + heatmapCsv(heatmaps[i]!, 'training_step')).join('') +
    linesCsv(curve('last'), 't', 'grad_norm'),
);
let pngPath: string | null = null;
if (fs.existsSync(o.chromium)) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: o.chromium, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({
      viewport: { width: figure.width, height: figure.height },
      deviceScaleFactor: 2,
    });
    await page.setContent(`<html><body style="margin:0">${figure.svg}</body></html>`);
    pngPath = path.join(outDir, 'gradient-contrast.png');
    await page.screenshot({
      path: pngPath,
      clip: { x: 0, y: 0, width: figure.width, height: figure.height },
    });
  } finally {
    await browser.close();
  }
}

process.stdout.write(
  `\nGradient over time on the adding problem, T = ${T}, probe batch ${PROBE} (seed ${SEED}, ${env.backend})\n`,
);
process.stdout.write(`ratio = ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ on the probe batch (≪ 1: vanishing; ≈ 1: preserved)\n\n`);
for (const r of results) {
  const first = r.probes[0]!;
  const last = r.probes[r.probes.length - 1]!;
  process.stdout.write(
    `${r.label.padEnd(42)} init: ${fmtRatio(gradRatio(first)).padEnd(44)} step ${r.steps.at(-1)}: ${fmtRatio(gradRatio(last))}` +
      `  (train loss ${r.trainLoss.toFixed(4)}, ${r.msPerStep.toFixed(0)} ms/step)\n`,
  );
}
process.stdout.write(`\nfigure: ${svgPath}${pngPath ? `\n        ${pngPath}` : ''}\n`);
