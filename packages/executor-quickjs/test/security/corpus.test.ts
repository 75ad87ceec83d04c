import { describeSecurityCorpus } from '@actkit/code-actions/testing';
import { QuickJSExecutor } from '../../src/index.js';

describeSecurityCorpus('QuickJS (WebAssembly)', () => new QuickJSExecutor({ timeoutMs: 1000, memoryLimitMb: 64, maxLogChars: 2000 }));
