// Legend names: the fewest differing keys that tell runs apart, architecture first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { legendNames } from '../../../core/compare/legend.ts';
import { makeRun } from './make-run.ts';

describe('legendNames', () => {
  const table: { name: string; runs: ReturnType<typeof makeRun>[]; want: string[] }[] = [
    {
      name: 'names runs by architecture alone when it differs (its settings and defaults are implied)',
      runs: [
        makeRun('a'),
        makeRun('b', {
          arch: 'cornn',
          archConfig: { units: 8, dt: 0.06 },
          trainConfig: { lr: 0.02, batchSize: 8 },
        }),
      ],
      want: ['arch=lstm', 'arch=cornn'],
    },
    {
      name: 'adds a second key only where the first leaves runs equal',
      runs: [
        makeRun('a'),
        makeRun('b', { trainConfig: { lr: 0.01, batchSize: 8 } }),
        makeRun('c', { arch: 'gru', archConfig: { units: 8 } }),
      ],
      want: ['arch=lstm, train.lr=0.001', 'arch=lstm, train.lr=0.01', 'arch=gru, train.lr=0.001'],
    },
    {
      name: 'names a seed sweep by its seed',
      runs: [makeRun('a', { seed: 1 }), makeRun('b', { seed: 2 })],
      want: ['seed=1', 'seed=2'],
    },
    {
      name: 'tells identical configs apart by id',
      runs: [makeRun('aaaaaaaa'), makeRun('bbbbbbbb')],
      want: ['lstm on adding #aaaaaa', 'lstm on adding #bbbbbb'],
    },
    {
      name: 'names a single run by arch, task and id',
      runs: [makeRun('0123456789')],
      want: ['lstm on adding #012345'],
    },
    { name: 'names nothing for no runs', runs: [], want: [] },
  ];
  for (const c of table) it(c.name, () => assert.deepEqual(legendNames(c.runs), c.want));
});
