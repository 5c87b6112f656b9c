// Study: every architecture on copying memory (T = 100) for one fixed budget; final loss against the baseline.
// Runs are real workbench runs (runner processes, a SQLite database you can open in the UI afterwards).
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RunRecord } from '../core/api/types.ts';
import { CELLS } from '../core/models/registry.ts';
import { Workbench } from '../core/workbench.ts';

/**
 * Hidden sizes near the uRNN paper's copying budget (≈ 6.5k parameters: tanh-RNN 80, LSTM 40, uRNN 128) so the
 * comparison is at equal size; cells not in that paper get the size that lands near the same count.
 */
const UNITS: Record<string, number> = {
  'rnn-tanh': 80,
  irnn: 80,
  lstm: 40,
  gru: 46,
  cornn: 56,
  urnn: 128,
  exprnn: 100,
  scornn: 100,
  lipschitz: 56,
  'noisy-rnn': 56,
  antisymmetric: 80,
  'antisymmetric-gated': 56,
  unicornn: 64,
  'vector-field': 64,
};

const { values: o } = parseArgs({
  options: {
    steps: { type: 'string', default: '400' },
    seqLen: { type: 'string', default: '100' },
    batch: { type: 'string', default: '20' },
    parallel: { type: 'string', default: String(Math.max(1, os.availableParallelism())) },
    archs: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string', default: '1' },
    db: { type: 'string', default: path.join('test-output', 'copying-study.sqlite') },
  },
});
const archs = o.archs ? o.archs.split(',') : CELLS.map((c) => c.name);
const steps = Number(o.steps);
const wb = new Workbench({ dbPath: o.db, experiment: `copying T=${o.seqLen}` });
const started = Date.now();
const results: RunRecord[] = [];
const queue = [...archs];

async function worker(): Promise<void> {
  for (let arch = queue.shift(); arch; arch = queue.shift()) {
    const t0 = Date.now();
    const run = await wb.startRun({
      arch,
      task: 'copying',
      seed: Number(o.seed),
      steps,
      backend: o.backend,
      set: {
        seqLen: o.seqLen,
        units: String(UNITS[arch] ?? 64),
        batchSize: o.batch,
        evalEvery: String(Math.max(1, Math.floor(steps / 4))),
        evalSize: '200',
        checkpointEvery: String(steps),
      },
    });
    const done = await wb.waitForRun(run.id);
    results.push(done);
    process.stderr.write(`${arch}: ${done.status} in ${((Date.now() - t0) / 60000).toFixed(1)} min\n`);
  }
}

await Promise.all(Array.from({ length: Number(o.parallel) }, () => worker()));
await wb.close();

const fmt = (v: number | undefined, d = 4) =>
  v === undefined ? '-' : Number.isFinite(v) ? v.toFixed(d) : String(v);
console.log(
  `copying memory, T = ${o.seqLen}, ${steps} steps of batch ${o.batch}, backend ${o.backend}, seed ${o.seed}; db ${o.db}`,
);
console.log(
  '| arch | units | params | status | final eval CE | baseline | CE / baseline | accuracy | minutes |',
);
console.log('|---|---:|---:|---|---:|---:|---:|---:|---:|');
for (const r of results.sort((a, b) => archs.indexOf(a.spec.arch) - archs.indexOf(b.spec.arch))) {
  const ce = r.latest['eval/ce']?.value;
  const minutes = r.endedAt && r.startedAt ? (r.endedAt - r.startedAt) / 60000 : NaN;
  console.log(
    `| ${r.spec.arch} | ${String(r.spec.archConfig['units'])} | ${r.paramCount ?? '-'} | ${r.status} | ${fmt(ce)} | ${fmt(r.baseline ?? undefined)} | ${ce !== undefined && r.baseline ? fmt(ce / r.baseline, 2) : '-'} | ${fmt(r.latest['eval/accuracy']?.value, 3)} | ${minutes.toFixed(1)} |`,
  );
}
console.log(`total wall time ${((Date.now() - started) / 60000).toFixed(1)} min`);
