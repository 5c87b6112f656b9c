// Golden test of the gru cell against its official implementation (fixture: test/fixtures/golden/gru.json).
import { goldenSuite } from './golden.ts';

goldenSuite('gru');
