// Config keys every dataset task shares: how its test number is reported, evaluation size, the split's seed.
import type { ConfigSchema } from '../../api/params.ts';

export const TEST_PROTOCOLS = ['best-val', 'last'] as const;
export type TestProtocol = (typeof TEST_PROTOCOLS)[number];

export const DATASET_EVAL_PARAMS = {
  testProtocol: {
    type: 'enum',
    default: 'best-val',
    choices: TEST_PROTOCOLS,
    description:
      'reported test number: at the evaluation with the best validation metric (coRNN psMNIST/CIFAR, UnICORNN; ' +
      'best test when there is no validation split, as expRNN) or at the last evaluation (coRNN sMNIST)',
  },
  evalLimit: {
    type: 'integer',
    default: 0,
    min: 0,
    max: 10000000,
    description: 'evaluate on only the first N validation and N test examples (0: all); for reduced budgets',
  },
  splitSeed: {
    type: 'integer',
    default: 0,
    min: 0,
    max: 2 ** 31 - 1,
    description:
      'seed of the validation (and test) split, shared by every run of the task so they compare on one split',
  },
} as const satisfies ConfigSchema;
