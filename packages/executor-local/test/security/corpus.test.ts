import { describeSecurityCorpus } from '@actkit/code-actions/testing';
import { LocalExecutor } from '../../src/index.js';

const limits = { timeoutMs: 1000, memoryLimitMb: 64, maxLogChars: 2000 };
describeSecurityCorpus('local (isolated-vm), in-process', () => new LocalExecutor({ ...limits, mode: 'in-process' }));
describeSecurityCorpus('local (isolated-vm), child process', () => new LocalExecutor({ ...limits, mode: 'child-process' }));
// Tools that say they are synchronous: the actions run on the host's thread.
describeSecurityCorpus('local (isolated-vm), in-process, synchronous tools', () => new LocalExecutor({ ...limits, mode: 'in-process' }), { synchronousTools: true });
