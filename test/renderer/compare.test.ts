// Browser: two architectures started together open in Compare with both curves, only the differing config
// keys, legend names by what differs; after a reload everything is still there, and the Runs table lists them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stepsToThreshold } from '../../core/compare/summarize.ts';
import { fill, pickArchs, startHarness, tinyFields, waitForCurves } from './harness.ts';

describe('Compare', () => {
  it('overlays two architectures, shows only the differing keys, and survives a reload', async (t) => {
    const h = await startHarness(t);
    await h.goto('#/new');
    await pickArchs(h.page, ['lstm', 'gru']);
    await fill(h.page, { ...tinyFields('lstm'), ...tinyFields('gru'), 'run.seed': '3', 'run.steps': '30' });
    await h.page.locator('[data-field="run.backend"]').selectOption('cpu');
    await h.page.locator('[data-testid="start"]').click();
    await h.page.waitForSelector('[data-screen="compare"]');

    const runs = await h.runs();
    assert.deepEqual(runs.map((r) => r.spec.arch).sort(), ['gru', 'lstm']);
    assert.deepEqual(
      runs.map((r) => r.spec.seed),
      [3, 3],
    );
    await waitForCurves(h.page, 'loss', 2, 3);
    await waitForCurves(h.page, 'eval', 2, 1);

    const keys = async () => {
      const rows = await h.page.locator('[data-testid="config-table"] tbody tr').all();
      return Promise.all(rows.map((r) => r.getAttribute('data-key')));
    };
    assert.deepEqual(await keys(), ['arch', 'arch.forgetBias']);
    const names = await h.page.locator('[data-testid="summary-table"] tbody th').allTextContents();
    assert.deepEqual(names.map((n) => n.trim()).sort(), ['arch=gru', 'arch=lstm']);
    await h.page.locator('[data-testid="show-all-keys"]').check();
    assert.ok((await keys()).includes('task.seqLen'));
    await h.page.locator('[data-testid="show-all-keys"]').uncheck();

    // Both runs finish; the summary answers "steps to reach" a typed threshold from the full series.
    for (const r of runs) await h.wb.waitForRun(r.id);
    const evalOf = async (id: string) => (await h.wb.metrics({ runId: id, keys: ['eval/mse'] }))[0]!.points;
    const lstm = runs.find((r) => r.spec.arch === 'lstm')!;
    const threshold = (await evalOf(lstm.id))[3]!.value;
    await h.page.locator('[data-testid="threshold"]').fill(String(threshold));
    for (const r of runs) {
      const want = stepsToThreshold(await evalOf(r.id), threshold, true);
      const cell = h.page.locator(
        `[data-testid="summary-table"] tr[data-run-id="${r.id}"] [data-testid="steps-to-threshold"]`,
      );
      await cell.filter({ hasText: want === null ? 'not reached' : String(want) }).waitFor();
    }
    await h.shot('compare');

    // A reload lands on the same comparison, from the database alone.
    await h.page.reload();
    await h.page.waitForSelector('[data-screen="compare"]');
    await waitForCurves(h.page, 'loss', 2, 30);
    assert.deepEqual(await keys(), ['arch', 'arch.forgetBias']);

    // From the Runs table: tick both, Compare.
    await h.goto('#/runs');
    const rows = h.page.locator('[data-testid="runs-table"] tbody tr');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    await h.page
      .locator('[data-testid="runs-table"] [data-testid="status"]', { hasText: 'completed' })
      .nth(1)
      .waitFor();
    for (const box of await h.page.locator('[data-testid="select-run"]').all()) await box.check();
    await h.shot('runs');
    await h.page.locator('[data-testid="compare-selected"]').click();
    await h.page.waitForSelector('[data-screen="compare"]');
    await waitForCurves(h.page, 'eval', 2, 2);
    assert.deepEqual(h.problems, []);
  });
});
