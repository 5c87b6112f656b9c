// Golden test of the LSTM cell against torch.nn.LSTMCell, plus its forget-bias initialisation.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { defaultsOf } from '../../../../core/api/params.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import { lstm } from '../../../../core/models/cells/lstm.ts';
import { goldenSuite } from './golden.ts';

goldenSuite('lstm');

it('lstm: forgetBias shifts only the forget block of bias_hh, from the same draws', () => {
  const n = 6;
  const initOf = (forgetBias: number) => {
    const specs = lstm.weights(3, { ...defaultsOf(lstm.config), units: n, forgetBias });
    const rng = Rng.stream(11, 'init');
    return Object.fromEntries(specs.map((s) => [s.name, s.init(rng)]));
  };
  const plain = initOf(0);
  const shifted = initOf(1);
  const k = 1 / Math.sqrt(n);
  for (const name of ['weight_ih', 'weight_hh', 'bias_ih'])
    assert.deepEqual(shifted[name], plain[name], name);
  const a = plain['bias_hh']!;
  const b = shifted['bias_hh']!;
  for (let i = 0; i < 4 * n; i++) {
    const forget = i >= n && i < 2 * n;
    assert.ok(Math.abs(a[i]!) <= k, `bias_hh[${i}] outside U(±1/√N)`);
    assert.equal(
      b[i],
      forget ? Math.fround(a[i]! + 1) : a[i],
      `bias_hh[${i}] (${forget ? 'forget' : 'other'} block)`,
    );
  }
});
