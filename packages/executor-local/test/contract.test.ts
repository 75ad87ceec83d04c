import { describeExecutorContract } from '@actkit/code-actions/testing';
import { LocalExecutor } from '../src/index.js';

describeExecutorContract('local (isolated-vm)', { create: () => new LocalExecutor({ memoryLimitMb: 64 }) });
// Tools that say they are synchronous: the actions run on the host's thread (host-thread-actions.test.ts).
describeExecutorContract('local (isolated-vm), synchronous tools', {
  create: () => new LocalExecutor({ mode: 'in-process', memoryLimitMb: 64 }),
  synchronousTools: true,
});
