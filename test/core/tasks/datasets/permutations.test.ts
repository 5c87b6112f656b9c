// psMNIST permutations against the values PyTorch and NumPy draw (fixture by test/fixtures/golden/make_permutations.py).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { Mt19937, numpyPermutation } from '../../../../core/engine/mt19937.ts';
import { PERMUTATIONS, torchRandperm } from '../../../../core/tasks/datasets/permutations.ts';

interface Fixture {
  torch: Record<string, number[]>;
  numpy: Record<string, number[]>;
}
const golden = JSON.parse(
  fs.readFileSync(new URL('../../../fixtures/golden/permutations.json', import.meta.url), 'utf8'),
) as Fixture;

describe('permutations', () => {
  it('MT19937 gives the reference outputs (seed 5489: first output 3499211612)', () => {
    const g = new Mt19937(5489);
    assert.equal(g.nextU32(), 3499211612);
    for (let i = 1; i < 9999; i++) g.nextU32();
    // The 10000th output of the default-seeded std::mt19937 (C++ standard, [rand.predef]).
    assert.equal(g.nextU32(), 4123659995);
  });

  it("equals PyTorch's torch.randperm after torch.manual_seed", () => {
    assert.deepEqual(Array.from(torchRandperm(784, 12008)), golden.torch['12008']);
    assert.deepEqual(Array.from(torchRandperm(784, 5544)), golden.torch['5544']);
    assert.deepEqual(Array.from(torchRandperm(10, 0)), golden.torch['0/10']);
    assert.deepEqual(Array.from(torchRandperm(1000, 1)), golden.torch['1/1000']);
  });

  it("equals NumPy's RandomState(seed).permutation", () => {
    assert.deepEqual(Array.from(numpyPermutation(784, 92916)), golden.numpy['92916']);
    assert.deepEqual(Array.from(numpyPermutation(10, 0)), golden.numpy['0/10']);
    assert.deepEqual(Array.from(numpyPermutation(1000, 1234)), golden.numpy['1234/1000']);
  });

  it('names each paper permutation', () => {
    assert.deepEqual(Array.from(PERMUTATIONS['cornn-12008'].make()), golden.torch['12008']);
    assert.deepEqual(Array.from(PERMUTATIONS['unicornn-5544'].make()), golden.torch['5544']);
    assert.deepEqual(Array.from(PERMUTATIONS['exprnn-92916'].make()), golden.numpy['92916']);
  });
});
