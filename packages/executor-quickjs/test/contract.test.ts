import { describeExecutorContract } from '@actkit/code-actions/testing';
import { QuickJSExecutor } from '../src/index.js';

describeExecutorContract('QuickJS (WebAssembly)', { create: () => new QuickJSExecutor({ memoryLimitMb: 64 }) });
