// The fused vector-field RNN kernel equals the generic TF.js path: features, dx and every gradient (through exp(Δt·D)).
import { before, describe, it } from 'node:test';
import * as tf from '../../../../core/engine/tf.ts';
import { defaultsOf } from '../../../../core/api/params.ts';
import { selectBackend } from '../../../../core/engine/backend.ts';
import type { CellSpec } from '../../../../core/models/cell.ts';
import { vectorField } from '../../../../core/models/cells/vector-field.ts';
import { vectorFieldKernel } from '../../../../core/models/fused/vector-field.ts';
import { FUSED_CHECK_SHAPES, checkFusedKernel, checkFusedChunks } from '../../../helpers/fused-check.ts';

// prepare's intermediates (the operator's pieces, expm's powers) tidied, so the check's leak count sees its own.
const cell: CellSpec = { ...vectorField, prepare: (w, c) => tf.tidy(() => vectorField.prepare!(w, c)) };
const shape = { T: 7, B: 5, D: 3, every: true };

describe('fused vector-field RNN kernel against unroll (cpu backend)', () => {
  before(() => selectBackend('cpu'));
  for (const [i, { H, ...s }] of FUSED_CHECK_SHAPES.entries())
    it(`units ${H}, B ${s.B}, T ${s.T}, D ${s.D}, every ${s.every}`, () => {
      checkFusedKernel(vectorFieldKernel, cell, { ...defaultsOf(cell.config), units: H }, s, { seed: i + 1 });
    });
  it('divergence-free, identity metric, 3 directions', () => {
    const config = {
      ...defaultsOf(cell.config),
      units: 13,
      divergenceFree: true,
      metric: 'identity',
      directions: 3,
    };
    checkFusedKernel(vectorFieldKernel, cell, config, shape, { seed: 11 });
  });
  it('one direction, Δt 0.3', () => {
    const config = { ...defaultsOf(cell.config), units: 13, directions: 1, dt: 0.3 };
    checkFusedKernel(vectorFieldKernel, cell, config, shape, { seed: 12 });
  });
  it('checkpointed in time chunks', () => {
    const config = { ...defaultsOf(cell.config), units: 13 };
    checkFusedChunks(vectorFieldKernel, cell, config, 20);
  });
});
