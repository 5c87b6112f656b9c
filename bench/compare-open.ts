// Compare-open benchmark: 20 runs × 20,000 points per curve in a fresh database, served, opened in Compare in
// Chromium; prints the time from navigation until every curve is drawn (median of several openings) and where
// it went (each API call's span). Options: --runs --points --openings --db FILE (reuse) --screenshot FILE.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { serve } from '../core/hosts/http.ts';
import { openStore } from '../core/storage/db.ts';
import type { MetricInput } from '../core/storage/metrics.ts';
import { resolveRunSpec } from '../core/training/spec.ts';
import { Workbench } from '../core/workbench.ts';
import { CHROMIUM_ARGS } from '../test/renderer/harness.ts';

const { values: o } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    points: { type: 'string', default: '20000' },
    openings: { type: 'string', default: '5' },
    /** Save a screenshot of the last opening here. */
    screenshot: { type: 'string' },
    /** Reuse (or create and keep) the database at this path instead of a temporary one. */
    db: { type: 'string' },
    chromium: { type: 'string', default: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium' },
  },
});
const RUNS = Number(o.runs);
const POINTS = Number(o.points);
const OPENINGS = Number(o.openings);
/** The page's DOM, as the in-page functions below use it (this project's Node tsconfig has no DOM types). */
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
};

/** What Compare reads: the two curves it draws and the step times its summary takes the median of. */
const KEYS = ['train/loss', 'train/step_ms', 'eval/mse'];
const ARCHS = ['lstm', 'gru', 'cornn', 'rnn-tanh'];

/** A noisy decaying curve, different per run (step_ms: a noisy constant). */
function value(key: string, run: number, step: number): number {
  const t = step / POINTS;
  const noise = Math.sin(step * 12.9898 + run * 78.233) * 43758.5453;
  const jitter = noise - Math.floor(noise) - 0.5;
  if (key === 'train/step_ms') return 20 + run + 4 * jitter;
  const floor = 0.01 + 0.005 * run;
  return (
    floor + (1 / 6 - floor) * Math.exp(-(3 + run / 5) * t) + (key === 'eval/mse' ? 0.2 : 1) * 0.02 * jitter
  );
}

const runId = (i: number) => `bench${String(i).padStart(2, '0')}`;

function makeDatabase(file: string): void {
  const store = openStore(file);
  const t0 = Date.now() - POINTS * 25;
  for (let i = 0; i < RUNS; i++) {
    const id = runId(i);
    const spec = resolveRunSpec(
      {
        arch: ARCHS[i % ARCHS.length]!,
        task: 'adding',
        seed: Math.floor(i / ARCHS.length),
        steps: POINTS,
        backend: 'cpu',
      },
      () => 0,
    );
    store.createRun({ id, experiment: 'bench', spec, baseline: 1 / 6, createdAt: t0 });
    store.claimRun(id, { pid: process.pid, host: os.hostname(), now: t0 });
    store.setRunEnv(id, { backend: 'cpu', device: 'cpu', versions: {}, host: os.hostname() }, 1000 + i);
    const BATCH = 5000;
    for (let from = 1; from <= POINTS; from += BATCH) {
      const metrics: MetricInput[] = [];
      for (let step = from; step < from + BATCH && step <= POINTS; step++)
        for (const key of KEYS)
          metrics.push({ key, step, value: value(key, i, step), wallMs: t0 + step * 25 });
      store.commitProgress(id, { metrics, now: Date.now() });
    }
    store.finishRun(id, 'completed', null, t0 + POINTS * 25);
  }
  store.close();
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnwb-bench-'));
try {
  const dbPath = o.db ?? path.join(dir, 'bench.sqlite');
  const ids = Array.from({ length: RUNS }, (_, i) => runId(i));
  let t = performance.now();
  if (!fs.existsSync(dbPath)) {
    makeDatabase(dbPath);
    console.log(
      `database: ${RUNS} runs × ${POINTS} points × ${KEYS.length} keys written in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
  }
  const wb = new Workbench({ dbPath });
  const server = await serve(wb, { port: 0 });
  const browser = await chromium.launch({
    executablePath: o.chromium,
    args: CHROMIUM_ARGS,
  });
  const url = `${server.url}#/compare?ids=${ids.join(',')}`;
  const times: number[] = [];
  try {
    for (let k = 0; k < OPENINGS; k++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      t = performance.now();
      await page.goto(url);
      // Every curve of both charts has its points; data-drawn-at is the page's performance.now() at the chart's
      // last draw, i.e. ms since navigation start.
      await page.waitForFunction(
        (n) =>
          ['loss', 'eval'].every((chart) => {
            const text =
              document.querySelector(`[data-testid="chart-${chart}"]`)?.getAttribute('data-counts') ?? '';
            return text.split(',').filter((c) => Number(c) > 0).length === n;
          }),
        RUNS,
        { timeout: 60_000 },
      );
      const outside = performance.now() - t;
      const attrs = await page.evaluate(() =>
        ['loss', 'eval'].map((chart) => {
          const canvas = document.querySelector(`[data-testid="chart-${chart}"]`);
          return {
            drawnAt: Number(canvas?.getAttribute('data-drawn-at')),
            points: Number(canvas?.getAttribute('data-points')),
          };
        }),
      );
      const drawnAt = Math.max(...attrs.map((a) => a.drawnAt));
      const points = attrs.map((a) => a.points);
      // Where the time went: each API call's start and end (ms since navigation start), grouped by method.
      const calls = await page.evaluate(() =>
        (
          performance.getEntriesByType('resource') as unknown as {
            name: string;
            startTime: number;
            responseEnd: number;
          }[]
        )
          .filter((e) => e.name.includes('/api/'))
          .map((e) => ({ method: e.name.split('/api/')[1] ?? '', start: e.startTime, end: e.responseEnd })),
      );
      const byMethod = new Map<string, { n: number; start: number; end: number }>();
      for (const c of calls) {
        const m = byMethod.get(c.method) ?? { n: 0, start: Infinity, end: 0 };
        byMethod.set(c.method, {
          n: m.n + 1,
          start: Math.min(m.start, c.start),
          end: Math.max(m.end, c.end),
        });
      }
      const breakdown = [...byMethod]
        .map(([m, v]) => `${m}×${v.n} ${v.start.toFixed(0)}–${v.end.toFixed(0)}`)
        .join(', ');
      console.log(
        `opening ${k + 1}: all ${RUNS * 2} curves drawn ${drawnAt.toFixed(0)} ms after navigation start ` +
          `(${outside.toFixed(0)} ms as Playwright saw it; ${points.join(' + ')} points drawn)\n  api calls (ms): ${breakdown}`,
      );
      times.push(drawnAt);
      // Let the summary (read after the curves, from every point) finish, so it does not slow the next opening.
      await page
        .locator('[data-testid="summary-table"][data-summarized="true"]')
        .waitFor({ timeout: 120_000 });
      if (o.screenshot && k === OPENINGS - 1) await page.screenshot({ path: o.screenshot, fullPage: true });
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
    await wb.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `median: ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms from navigation to all curves drawn (${OPENINGS} openings)`,
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
