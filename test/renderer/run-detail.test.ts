// Browser: Run detail stops and resumes a run, zooms by dragging, keeps tags and notes across a reload; the
// Runs table filters by tag and deletes after a confirmation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartPoints, startHarness, waitForPointsAbove, waitForStatus } from './harness.ts';

describe('Run detail', () => {
  it('stops and resumes a run, zooms, and keeps tags and notes across a reload', async (t) => {
    const h = await startHarness(t);
    const { page } = h;
    const run = await h.wb.startRun({
      arch: 'gru',
      task: 'adding',
      seed: 5,
      steps: 100_000,
      backend: 'cpu',
      set: {
        seqLen: 6,
        units: 4,
        evalSize: 16,
        batchSize: 8,
        evalEvery: 5,
        evalBatchSize: 16,
        checkpointEvery: 10,
      },
    });
    await h.goto(`#/run/${run.id}`);
    await waitForStatus(page, 'running');
    const before = await waitForPointsAbove(page, 'loss', 25);

    await page.locator('[data-testid="stop"]').click();
    await waitForStatus(page, 'stopped');
    await page.locator('[data-testid="checkpoints"] tbody tr').first().waitFor();
    const stopped = await h.wb.run({ runId: run.id });
    assert.equal(stopped.status, 'stopped');
    assert.ok(stopped.step >= before - 1);

    // Drag across the middle of the loss chart: the step range is refetched, then reset.
    const canvas = page.locator('[data-testid="chart-loss"]');
    const box = (await canvas.boundingBox())!;
    const y = box.y + box.height * 0.4;
    await page.mouse.move(box.x + box.width * 0.35, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, y, { steps: 5 });
    await page.mouse.up();
    await page.locator('[data-testid="zoom-range"]').waitFor();
    const zoomed = await chartPoints(page, 'loss');
    assert.ok(zoomed > 0 && zoomed < stopped.step, `zoomed to ${zoomed} of ${stopped.step} points`);
    await page.locator('[data-testid="reset-zoom-loss"]').click();
    await page.locator('[data-testid="zoom-range"]').waitFor({ state: 'detached' });

    await page.locator('[data-testid="tag-input"]').fill('sweep=tiny');
    await page.locator('[data-testid="tag-input"]').press('Enter');
    await page.locator('[data-testid="tag"]', { hasText: 'sweep=tiny' }).waitFor();
    await page.locator('[data-testid="note"]').fill('gru, 4 units: a smoke run');
    await page.locator('[data-testid="save-note"]').click();
    await page.locator('[data-testid="save-note"]:disabled').waitFor();
    await h.shot('run-detail-stopped');

    await page.reload();
    await waitForStatus(page, 'stopped');
    await page.locator('[data-testid="tag"]', { hasText: 'sweep=tiny' }).waitFor();
    assert.equal(await page.locator('[data-testid="note"]').inputValue(), 'gru, 4 units: a smoke run');
    const reloaded = await waitForPointsAbove(page, 'loss', 0);
    // Every stored point is still there, and the chart draws the whole run as the server downsamples it to the
    // chart's width (how many steps ran before the stop landed depends on the machine's speed).
    const width = await canvas.evaluate(
      (c: { parentElement: { clientWidth: number } | null }) => c.parentElement!.clientWidth,
    );
    const [stored] = await h.wb.metrics({
      runId: run.id,
      keys: ['train/loss'],
      maxPoints: Math.max(16, Math.round(width)),
    });
    assert.ok(stored!.total >= stopped.step - 1, `${stored!.total} loss points stored of ${stopped.step}`);
    assert.equal(reloaded, stored!.points.length, `after the reload the curve has ${reloaded} points`);
    // Wall-time axis, log y and smoothing redraw the same points.
    await page.locator('[data-testid="x-axis"]').selectOption('wall');
    await page.locator('[data-testid="log-y"]').check();
    await page.locator('[data-testid="smoothing"]').fill('0.6');
    await page
      .locator('[data-testid="chart-loss"][data-x-title="wall time (s)"][data-log-y="true"]')
      .waitFor();
    assert.equal(await chartPoints(page, 'loss'), reloaded);
    await h.shot('run-detail-wall-log');
    await page.locator('[data-testid="x-axis"]').selectOption('step');
    await page.locator('[data-testid="log-y"]').uncheck();
    await page.locator('[data-testid="smoothing"]').fill('0');

    await page.locator('[data-testid="resume"]').click();
    await waitForStatus(page, 'running');
    await waitForPointsAbove(page, 'loss', reloaded + 5);
    await page.locator('[data-testid="stop"]').click();
    await waitForStatus(page, 'stopped');

    // The Runs table: filter by the tag, then delete after confirming.
    await h.goto('#/runs');
    const rows = page.locator('[data-testid="runs-table"] tbody tr');
    await rows.first().waitFor();
    await page.getByLabel('Tag').selectOption('sweep=tiny');
    assert.equal(await rows.count(), 1);
    await page.locator('[data-testid="filter-text"]').fill('no-such-run');
    assert.equal(await rows.count(), 0);
    await page.locator('[data-testid="filter-text"]').fill('smoke');
    assert.equal(await rows.count(), 1);
    await h.shot('runs-filtered');
    await page.locator('[data-testid="delete-run"]').click();
    await page.locator('[data-testid="confirm-dialog"][open]').waitFor();
    await page.locator('[data-testid="confirm"]').click();
    await page.locator('[data-testid="runs-table"]').waitFor({ state: 'detached' });
    assert.deepEqual(await h.runs(), []);
    assert.deepEqual(h.problems, []);
  });
});
