// Golden test of the antisymmetric-gated cell against the paper's equations (fixture: test/fixtures/golden/antisymmetric-gated.json).
import { goldenSuite } from './golden.ts';

goldenSuite('antisymmetric-gated');
