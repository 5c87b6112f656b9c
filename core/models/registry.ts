// The registered architectures: adding a cell is one file in cells/ and one line here.
import { WorkbenchError } from '../api/errors.ts';
import type { CellSpec } from './cell.ts';
import { cornn } from './cells/cornn.ts';
import { gru } from './cells/gru.ts';
import { lstm } from './cells/lstm.ts';
import { rnnTanh } from './cells/rnn-tanh.ts';
import { urnn } from './cells/urnn.ts';
import { exprnn } from './cells/exprnn.ts';
import { scornn } from './cells/scornn.ts';
import { lipschitz } from './cells/lipschitz.ts';
import { noisyRnn } from './cells/noisy-rnn.ts';
import { antisymmetric } from './cells/antisymmetric.ts';
import { antisymmetricGated } from './cells/antisymmetric-gated.ts';
import { irnn } from './cells/irnn.ts';
import { unicornn } from './cells/unicornn.ts';
import { vectorField } from './cells/vector-field.ts';

export const CELLS: readonly CellSpec[] = [
  rnnTanh,
  lstm,
  gru,
  cornn,
  urnn,
  exprnn,
  scornn,
  lipschitz,
  noisyRnn,
  antisymmetric,
  antisymmetricGated,
  irnn,
  unicornn,
  vectorField,
];

export function getCell(name: string): CellSpec {
  const cell = CELLS.find((c) => c.name === name);
  if (!cell)
    throw new WorkbenchError(
      'unknown_arch',
      `unknown architecture '${name}' (known: ${CELLS.map((c) => c.name).join(', ')})`,
    );
  return cell;
}
