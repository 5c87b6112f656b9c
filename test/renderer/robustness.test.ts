// Browser: import a dataset from the New-run screen, preview it, train two architectures on it, and compare their
// robustness curves side by side (and see one in Run detail); the built-in MNIST previews as digits.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers/temp.ts';
import { fill, pickArchs, startHarness, waitForCurves } from './harness.ts';

/** A tiny, fast configuration for `arch` on a sequence task, as form field values. */
const tiny = (arch: string): Record<string, string> => ({
  [`arch:${arch}.units`]: '4',
  [`train:${arch}.batchSize`]: '16',
  [`train:${arch}.lr`]: '0.05',
  [`train:${arch}.evalEvery`]: '10',
  [`train:${arch}.evalBatchSize`]: '16',
  [`train:${arch}.checkpointEvery`]: '40',
});

describe('Datasets and robustness in the UI', () => {
  it('imports and previews a CSV dataset, trains two runs on it, and compares their robustness curves', async (t) => {
    const csv = path.join(tempDir(t), 'walks.csv');
    const rows = ['walk,step,x,y,class'];
    // The class shows in feature x (±0.5 plus a wobble): a few dozen steps learn it, and input noise then hurts.
    for (let i = 0; i < 200; i++)
      for (let s = 0; s < 3 + (i % 4); s++)
        rows.push(
          `w${i},${s},${(i % 2 ? 0.5 : -0.5) + 0.2 * Math.sin(i * s)},${Math.sin(s + i)},${i % 2 ? 'up' : 'flat'}`,
        );
    fs.writeFileSync(csv, rows.join('\n'));

    const h = await startHarness(t);
    await h.goto('#/new');
    await h.page.locator('[data-testid="task"]').selectOption('psmnist');
    // The built-in MNIST needs no import: its preview draws the digits (the permutation undone).
    await h.page.locator('[data-testid="dataset-preview"] img').first().waitFor();
    assert.equal(await h.page.locator('[data-testid="preview-example"]').count(), 4);
    await h.shot('new-run-psmnist-preview');

    await h.page.locator('[data-testid="task"]').selectOption('seq-classification');
    await h.page.locator('[data-testid="form-problems"]', { hasText: 'choose a dataset' }).waitFor();
    await h.page.locator('[data-testid="dataset-import-open"]').click();
    await h.page.locator('[data-testid="dataset-path"]').fill(csv);
    await h.page.locator('[data-testid="csv-id"]').fill('walk');
    await h.page.locator('[data-testid="csv-time"]').fill('step');
    await h.page.locator('[data-testid="csv-label"]').fill('class');
    await h.page.locator('[data-testid="dataset-import"]').click();
    await h.page
      .locator('[data-testid="dataset"] option', { hasText: 'walks — 200 × 3–6 × 2, classification' })
      .waitFor({ state: 'attached' });
    await h.page.locator('[data-testid="preview-example"] polyline').first().waitFor({ state: 'attached' });
    const labels = await h.page.locator('[data-testid="preview-example"] figcaption b').allTextContents();
    assert.ok(labels.length === 4 && labels.every((l) => ['up', 'flat'].includes(l)), labels.join(','));
    await h.shot('new-run-dataset');

    await pickArchs(h.page, ['gru', 'lstm']);
    await fill(h.page, { ...tiny('gru'), ...tiny('lstm'), 'run.seed': '4', 'run.steps': '40' });
    await h.page.locator('[data-field="run.backend"]').selectOption('cpu');
    await h.page.locator('[data-testid="start"]').click();
    await h.page.waitForSelector('[data-screen="compare"]');
    const runs = await h.runs();
    assert.deepEqual(
      runs.map((r) => r.spec.dataset?.name),
      ['walks', 'walks'],
    );
    for (const r of runs) assert.equal((await h.wb.waitForRun(r.id)).status, 'completed');

    // Compare's summary reports each run's test accuracy under its protocol (best validation).
    await h.page.locator('[data-testid="reported-test"]').nth(1).waitFor();
    assert.equal(await h.page.locator('[data-testid="reported-test"]').count(), 2);
    // Compare: evaluate both runs under Gaussian noise at three levels; their curves appear side by side.
    await h.page.locator('[data-testid="robustness-levels"]').fill('0,0.25,0.5,1,2');
    await h.page.locator('[data-testid="robustness-evaluate"]', { hasText: 'Evaluate 2 runs' }).click();
    await waitForCurves(h.page, 'robustness', 2, 5);
    const stored = await h.wb.robustnessCurves({ runIds: runs.map((r) => r.id) });
    assert.deepEqual(
      stored.map((c) => c.points.map((p) => p.level)),
      [
        [0, 0.25, 0.5, 1, 2],
        [0, 0.25, 0.5, 1, 2],
      ],
    );
    await h.page.locator('[data-testid="robustness-panel"]').scrollIntoViewIfNeeded();
    await h.shot('compare-robustness');

    // Run detail shows the run's own curve.
    await h.goto(`#/run/${runs[0]!.id}`);
    await waitForCurves(h.page, 'robustness', 1, 5);
    assert.deepEqual(h.problems, []);
  });
});
