// Golden test of the rnn-tanh cell against its official implementation (fixture: test/fixtures/golden/rnn-tanh.json).
import { goldenSuite } from './golden.ts';

goldenSuite('rnn-tanh');
