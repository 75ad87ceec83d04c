import { describeModulesContract } from '@actkit/code-actions/testing';
import { LocalExecutor } from '../src/index.js';

for (const mode of ['in-process', 'child-process'] as const) {
  describeModulesContract(`local, ${mode}`, { create: (modules) => new LocalExecutor({ mode, modules, memoryLimitMb: 64 }) });
}
