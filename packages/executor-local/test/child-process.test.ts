import { describeExecutorContract } from '@actkit/code-actions/testing';
import { expect, it } from 'vitest';
import { LocalExecutor } from '../src/index.js';

// The same contract when the isolates live in a child process (the default when this process
// was not started with --no-node-snapshot).
describeExecutorContract('local, child-process mode', { create: () => new LocalExecutor({ mode: 'child-process', memoryLimitMb: 64 }) });

it('picks in-process when the flag is there, a child process otherwise', () => {
  expect(process.execArgv).toContain('--no-node-snapshot'); // vitest.config.ts passes it
  expect(new LocalExecutor().mode).toBe('in-process');
});
