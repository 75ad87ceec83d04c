import { describeExecutorContract } from '@actkit/code-actions/testing';
import { LocalExecutor } from '../src/index.js';

describeExecutorContract('local (isolated-vm)', { create: () => new LocalExecutor({ memoryLimitMb: 64 }) });
