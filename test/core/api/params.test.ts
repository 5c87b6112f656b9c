// Hyper-parameter schemas: parsing, range checks and clear messages for every kind of bad value.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkbenchError } from '../../../core/api/errors.ts';
import { parseParam, resolveConfig, type ConfigSchema } from '../../../core/api/params.ts';

const schema: ConfigSchema = {
  units: { type: 'integer', default: 8, min: 1, max: 64, description: 'hidden size' },
  lr: { type: 'number', default: 0.1, min: 0, exclusiveMin: true, description: 'learning rate' },
  mode: { type: 'enum', default: 'a', choices: ['a', 'b'], description: 'mode' },
  flag: { type: 'boolean', default: false, description: 'flag' },
};

describe('resolveConfig', () => {
  it('fills defaults and takes valid overrides', () => {
    assert.deepEqual(resolveConfig(schema, { units: 16, mode: 'b' }, 'arch'), {
      units: 16,
      lr: 0.1,
      mode: 'b',
      flag: false,
    });
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['non-integer', { units: 2.5 }, /arch\.units = 2\.5: must be an integer/],
    ['below min', { units: 0 }, /must be ≥ 1/],
    ['above max', { units: 65 }, /must be ≤ 64/],
    ['exclusive min', { lr: 0 }, /must be > 0/],
    ['non-numeric string', { lr: parseParam(schema['lr']!, 'fast') }, /must be a finite number/],
    ['NaN', { lr: NaN }, /must be a finite number/],
    ['unknown enum', { mode: 'c' }, /must be one of a, b/],
    ['unknown key', { depth: 3 }, /unknown key 'depth'/],
  ];
  for (const [what, overrides, message] of bad)
    it(`refuses ${what}`, () => {
      assert.throws(
        () => resolveConfig(schema, overrides, 'arch'),
        (e: unknown) => e instanceof WorkbenchError && e.code === 'invalid_config' && message.test(e.message),
      );
    });

  it('parses command-line strings by type', () => {
    assert.equal(parseParam(schema['units']!, '12'), 12);
    assert.equal(parseParam(schema['flag']!, 'true'), true);
    assert.equal(parseParam(schema['units']!, ''), '');
  });
});
