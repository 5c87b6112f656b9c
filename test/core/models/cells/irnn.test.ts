// IRNN: golden numbers of torch.nn.RNNCell(nonlinearity='relu') (fixture: irnn.json) and the identity initialisation.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { defaultsOf } from '../../../../core/api/params.ts';
import { Rng } from '../../../../core/engine/rng.ts';
import { irnn } from '../../../../core/models/cells/irnn.ts';
import { goldenSuite } from './golden.ts';

goldenSuite('irnn');

it('irnn init: W_hh = I, both biases 0, W_ih Glorot-uniform U(±√(6/(d + N))) (the uRNN code)', () => {
  const n = 6;
  const d = 3;
  const specs = irnn.weights(d, { ...defaultsOf(irnn.config), units: n });
  const rng = Rng.stream(12, 'init');
  const w = Object.fromEntries(specs.map((s) => [s.name, s.init(rng)]));
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) assert.equal(w['weight_hh']![i * n + j], i === j ? 1 : 0, `W_hh[${i},${j}]`);
  assert.ok(w['bias_ih']!.every((v) => v === 0) && w['bias_hh']!.every((v) => v === 0), 'biases');
  const bound = Math.sqrt(6 / (d + n));
  const wih = Array.from(w['weight_ih']!);
  assert.ok(
    wih.every((v) => Math.abs(v) <= bound),
    'W_ih outside the Glorot bound',
  );
  assert.ok(Math.max(...wih.map(Math.abs)) > bound / 2, 'W_ih drawn at a smaller scale than Glorot');
});
