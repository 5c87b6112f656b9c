// Golden test of the cornn cell against its official implementation (fixture: test/fixtures/golden/cornn.json).
import { goldenSuite } from './golden.ts';

goldenSuite('cornn');
