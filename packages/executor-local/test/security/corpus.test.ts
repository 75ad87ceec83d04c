import { describeSecurityCorpus } from '@actkit/code-actions/testing';
import { LocalExecutor } from '../../src/index.js';

describeSecurityCorpus('local (isolated-vm)', () => new LocalExecutor({ timeoutMs: 1000, memoryLimitMb: 64, maxLogChars: 2000 }));
