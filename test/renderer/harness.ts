// Browser-test harness: a real workbench server on a temporary database, the built renderer, and Chromium.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunRecord } from '../../core/api/types.ts';
import { serve, type Server } from '../../core/hosts/http.ts';
import { Workbench } from '../../core/workbench.ts';
import { tempDir } from '../helpers/temp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SCREENSHOTS = path.join(ROOT, 'test-output', 'screenshots');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** Without the background-networking flags Chromium keeps calling home, which floods a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails with a clear message when the renderer has not been built (the `test` script builds it first). */
export function assertRendererBuilt(): void {
  const index = path.join(ROOT, 'dist', 'renderer', 'index.html');
  assert.ok(
    fs.existsSync(index),
    `${index} is missing: build the renderer first with \`npm run build:renderer\` (\`npm test\` does it)`,
  );
  assert.ok(fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium)`);
}

export interface Harness {
  wb: Workbench;
  server: Server;
  browser: Browser;
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
  runs(): Promise<RunRecord[]>;
  goto(hash: string): Promise<void>;
  shot(name: string): Promise<void>;
}

/** Starts everything for one test and tears it down (runners stopped, database removed) when it ends. */
export async function startHarness(t: TestContext): Promise<Harness> {
  assertRendererBuilt();
  const wb = new Workbench({ dbPath: path.join(tempDir(t, 'rnnwb-ui-'), 'wb.sqlite') });
  const server = await serve(wb, { port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  t.after(async () => {
    await browser.close();
    await server.close();
    await wb.close(5000);
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // Fail within a bounded time under a loaded machine, well inside node's own test timeout.
  page.setDefaultTimeout(45_000);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return {
    wb,
    server,
    browser,
    page,
    problems,
    runs: () => wb.runs({}),
    async goto(hash) {
      await page.goto(new URL(hash, server.url).href);
      await page.waitForSelector('[data-screen]');
    },
    async shot(name) {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
  };
}

/** A tiny, fast configuration for `arch` on the adding problem, as form field values (scope.key → text). */
export function tinyFields(arch: string, units = 4): Record<string, string> {
  return {
    [`arch:${arch}.units`]: String(units),
    'task.seqLen': '6',
    'task.evalSize': '16',
    [`train:${arch}.batchSize`]: '8',
    [`train:${arch}.evalEvery`]: '5',
    [`train:${arch}.evalBatchSize`]: '16',
    [`train:${arch}.checkpointEvery`]: '20',
  };
}

/** Types each value into the form field `data-field="scope.key"`. */
export async function fill(page: Page, fields: Record<string, string>): Promise<void> {
  for (const [field, value] of Object.entries(fields))
    await page.locator(`[data-field="${field}"]`).fill(value);
}

/** The number of points the chart `name` draws (from the data attribute its attachment maintains). */
export async function chartPoints(page: Page, name: string): Promise<number> {
  return Number(await page.locator(`[data-testid="chart-${name}"]`).getAttribute('data-points'));
}

/**
 * The page-side global the in-page functions below use: this project's Node tsconfig has no DOM types, and
 * string-evaluated page code is refused by the renderer's Content-Security-Policy (no 'unsafe-eval').
 */
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
};

/** Waits until the chart `name` draws more than `n` points. */
export async function waitForPointsAbove(page: Page, name: string, n: number): Promise<number> {
  await page.waitForFunction(
    ([name, n]) =>
      Number(document.querySelector(`[data-testid="chart-${name}"]`)?.getAttribute('data-points')) > n,
    [name, n] as const,
  );
  return chartPoints(page, name);
}

/** Waits until the chart `name` draws exactly `curves` curves, each with at least `min` points. */
export async function waitForCurves(page: Page, name: string, curves: number, min: number): Promise<void> {
  await page.waitForFunction(
    ([name, curves, min]) => {
      const text = document.querySelector(`[data-testid="chart-${name}"]`)?.getAttribute('data-counts') ?? '';
      const counts = text === '' ? [] : text.split(',').map(Number);
      return counts.length === curves && counts.every((c) => c >= min);
    },
    [name, curves, min] as const,
  );
}

/** On the New-run screen: tick exactly these architectures. */
export async function pickArchs(page: Page, names: readonly string[]): Promise<void> {
  await page.waitForSelector('[data-arch]');
  for (const box of await page.locator('[data-arch]').all()) {
    const name = await box.getAttribute('data-arch');
    await box.setChecked(names.includes(name ?? ''));
  }
}

/** Waits until the status badge of the Run-detail screen reads `status`. */
export async function waitForStatus(page: Page, status: string): Promise<void> {
  await page
    .locator('[data-screen="run"] .screen-head [data-testid="status"]', { hasText: status })
    .waitFor();
}
