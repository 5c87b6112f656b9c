// Browser: the New-run form refuses invalid values inline, and a started run's curve grows from live events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartPoints, fill, pickArchs, startHarness, tinyFields, waitForPointsAbove } from './harness.ts';

describe('New run', () => {
  it('explains an invalid value inline and starts nothing', async (t) => {
    const h = await startHarness(t);
    await h.goto('#/new');
    await pickArchs(h.page, ['lstm']);
    await fill(h.page, { ...tinyFields('lstm'), 'arch:lstm.units': '-3', 'train:lstm.lr': 'fast' });
    const errors = h.page.locator('[data-testid="field-error"]');
    await errors.first().waitFor();
    assert.deepEqual(await errors.allTextContents(), ['units must be ≥ 1', 'lr must be a finite number']);
    assert.equal(await h.page.locator('[data-field="arch:lstm.units"]').getAttribute('aria-invalid'), 'true');
    const start = h.page.locator('[data-testid="start"]');
    assert.equal(await start.isDisabled(), true);
    // Submitting anyway (a disabled default button blocks Enter; a script need not) still starts nothing.
    await h.page
      .locator('[data-screen="new"] form')
      .evaluate((f) => (f as unknown as { requestSubmit(): void }).requestSubmit());
    await h.page.locator('[data-testid="form-problems"][role="alert"]').waitFor();
    await h.shot('new-run-invalid');
    assert.deepEqual(await h.runs(), []);

    // Fixing the values enables the button again.
    await fill(h.page, { 'arch:lstm.units': '4', 'train:lstm.lr': '0.001' });
    await h.page.locator('[data-testid="start"]:enabled').waitFor();
    assert.equal(await errors.count(), 0);
    assert.deepEqual(h.problems, []);
  });

  it('starts a run from the form and its curve grows from the event stream', async (t) => {
    const h = await startHarness(t);
    await h.goto('#/new');
    await pickArchs(h.page, ['lstm']);
    await fill(h.page, { ...tinyFields('lstm'), 'run.seed': '7', 'run.steps': '400' });
    await h.page.locator('[data-field="run.backend"]').selectOption('cpu');
    await h.shot('new-run');
    await h.page.locator('[data-testid="start"]').click();
    await h.page.waitForSelector('[data-screen="run"]');

    const [run] = await h.runs();
    assert.ok(run, 'one run was created');
    assert.equal(run.spec.arch, 'lstm');
    assert.equal(run.spec.seed, 7);
    assert.equal(run.spec.backend, 'cpu');
    assert.equal(run.spec.archConfig['units'], 4);
    assert.equal(run.spec.taskConfig['seqLen'], 6);
    assert.ok(h.page.url().endsWith(`#/run/${run.id}`));

    const first = await waitForPointsAbove(h.page, 'loss', 0);
    const later = await waitForPointsAbove(h.page, 'loss', first + 2);
    assert.ok(later > first, `the loss curve grew from ${first} to ${later} points`);
    // The evaluation chart draws its curve plus the task's baseline as a reference line.
    await waitForPointsAbove(h.page, 'eval', 1);
    assert.equal(await h.page.locator('[data-testid="chart-eval"]').getAttribute('data-curves'), '1');
    assert.ok((await chartPoints(h.page, 'grad')) > 0);
    // The form asked for the cpu backend; the cell's fused kernel runs the sequence, and the record says so.
    await h.page.locator('[data-testid="backend"]', { hasText: 'fused-wasm' }).waitFor();
    await h.shot('run-detail');
    assert.deepEqual(h.problems, []);
  });
});
