import { defineConfig } from 'vitest/config';

// The tests spawn the CLI as `pnpm start` does (a plain node: the sandbox in a child process);
// the flag here keeps isolated-vm usable should a test load an executor in-process. Each test
// starts several processes: on a loaded machine that takes minutes, not seconds.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], execArgv: ['--no-node-snapshot'], testTimeout: 240_000, hookTimeout: 300_000 },
});
