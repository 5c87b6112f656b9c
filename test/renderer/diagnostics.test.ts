// Browser: Run detail's long-memory diagnostics (heat map, curves, spectrum, parameters), figure and weight downloads,
// and Compare's gradient overlay and one-figure export with a legend.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import type { Download, Page } from 'playwright-core';
import { startHarness, waitForCurves } from './harness.ts';

const SET = {
  seqLen: 12,
  units: 4,
  evalSize: 16,
  batchSize: 8,
  evalEvery: 2,
  evalBatchSize: 16,
  checkpointEvery: 4,
  diagEvery: 2,
  diagBatch: 4,
};

/** Clicks `selector` and returns the download it starts: its suggested name and its bytes. */
async function download(page: Page, selector: string): Promise<{ name: string; data: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()]);
  const file = await d.path();
  return { name: d.suggestedFilename(), data: fs.readFileSync(file) };
}

describe('Diagnostics in the UI', () => {
  it('shows the gradient heat map, curves and spectrum; saves PNG, SVG, CSV and weights; Compare overlays runs', async (t) => {
    const h = await startHarness(t);
    const { page } = h;
    const a = await h.wb.startRun({
      arch: 'rnn-tanh',
      task: 'adding',
      seed: 1,
      steps: 8,
      backend: 'cpu',
      set: SET,
    });
    const b = await h.wb.startRun({
      arch: 'cornn',
      task: 'adding',
      seed: 1,
      steps: 8,
      backend: 'cpu',
      set: SET,
    });
    await h.wb.waitForRun(a.id);
    await h.wb.waitForRun(b.id);

    await h.goto(`#/run/${a.id}`);
    const heat = page.locator('[data-testid="grad-heatmap"]');
    await heat.waitFor();
    assert.equal(await heat.getAttribute('data-probes'), '5'); // steps 0, 2, 4, 6, 8
    assert.equal(await heat.getAttribute('data-t'), '12');
    await waitForCurves(page, 'grad-over-time', 2, 12);
    await waitForCurves(page, 'state-norm', 2, 12);
    await page.locator('[data-testid="param-table"] tbody tr').first().waitFor({ state: 'attached' });
    assert.equal(await page.locator('[data-testid="param-table"] tbody tr').count(), 7); // 4 + readout 2 + total

    await page.locator('[data-testid="spectrum-step"]').selectOption('0');
    await page.locator('[data-testid="compute-spectrum"]').click();
    await page.locator('[data-testid="eigenvalues"] svg').waitFor();
    assert.match(
      (await page.locator('[data-testid="spectral-radius"]').textContent()) ?? '',
      /W_hh \(weight_hh\), 4 × 4/,
    );
    await h.shot('run-detail-diagnostics');

    // The heat map as PNG (2× at least), SVG and CSV (a header of t = 1..12, a row per probe).
    const png = await download(
      page,
      '[data-testid="figure-grad-heatmap-' + a.id + '"] button:has-text("PNG")',
    );
    assert.equal(png.name, `grad-heatmap-${a.id}.png`);
    assert.deepEqual([...png.data.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    assert.ok(png.data.readUInt32BE(16) >= 2 * 760, `PNG width ${png.data.readUInt32BE(16)}`);
    const svg = await download(
      page,
      '[data-testid="figure-grad-heatmap-' + a.id + '"] button:has-text("SVG")',
    );
    assert.match(svg.data.toString('utf8'), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const csv = (
      await download(page, '[data-testid="figure-grad-heatmap-' + a.id + '"] button:has-text("CSV")')
    ).data.toString('utf8');
    const rows = csv.trim().split('\n');
    assert.equal(rows[0], 'training_step,1,2,3,4,5,6,7,8,9,10,11,12');
    assert.equal(rows.length, 6);
    // A Chart.js chart's PNG is drawn again at ≥ 2 device pixels per CSS pixel.
    const curvePng = await download(page, '[data-testid="figure-grad-over-time"] button:has-text("PNG")');
    const cssWidth = (await page.locator('[data-testid="chart-grad-over-time"]').boundingBox())!.width;
    assert.ok(curvePng.data.readUInt32BE(16) >= 2 * Math.floor(cssWidth), 'chart PNG at ≥ 2×');

    // Weights: a safetensors file and its model card.
    const two = new Promise<Download[]>((resolve) => {
      const got: Download[] = [];
      const on = (d: Download) => {
        got.push(d);
        if (got.length < 2) return;
        page.off('download', on);
        resolve(got);
      };
      page.on('download', on);
    });
    await page.locator('[data-testid="export-safetensors"]').click();
    const got = await two;
    assert.deepEqual(got.map((d) => d.suggestedFilename()).sort(), [
      `rnn-tanh-${a.id}-step8.safetensors`,
      `rnn-tanh-${a.id}-step8.safetensors.card.json`,
    ]);
    const weights = fs.readFileSync(
      await got.find((d) => d.suggestedFilename().endsWith('.safetensors'))!.path(),
    );
    assert.equal(weights.readBigUInt64LE(0) % 8n, 0n);

    // Compare: the newest probes overlaid, and one figure of every chart with a legend naming the runs.
    await h.goto(`#/compare?ids=${a.id},${b.id}`);
    await waitForCurves(page, 'grad-over-time', 2, 12);
    const fig = await download(page, '[data-testid="figure-compare-2-runs"] button:has-text("SVG")');
    const text = fig.data.toString('utf8');
    assert.match(text, /arch=rnn-tanh/);
    assert.match(text, /arch=cornn/);
    assert.match(text, /Gradient norm over time/);
    const all = (
      await download(page, '[data-testid="figure-compare-2-runs"] button:has-text("CSV")')
    ).data.toString('utf8');
    assert.match(all.split('\n')[0]!, /^chart,series,step,value$/);
    await h.shot('compare-diagnostics');
    assert.deepEqual(h.problems, []);
  });
});
