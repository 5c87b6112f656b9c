// The registered architectures: adding a cell is one file in cells/ and one line here.
import { WorkbenchError } from '../api/errors.ts';
import type { CellSpec } from './cell.ts';
import { cornn } from './cells/cornn.ts';

export const CELLS: readonly CellSpec[] = [cornn];

export function getCell(name: string): CellSpec {
  const cell = CELLS.find((c) => c.name === name);
  if (!cell)
    throw new WorkbenchError('unknown_arch', `unknown architecture '${name}' (known: ${CELLS.map((c) => c.name).join(', ')})`);
  return cell;
}
