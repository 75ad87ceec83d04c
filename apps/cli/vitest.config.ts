import { defineConfig } from 'vitest/config';

// The tests spawn the CLI (with --no-node-snapshot, as `pnpm start` does); the flag here keeps
// isolated-vm usable should a test load an executor in-process.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], execArgv: ['--no-node-snapshot'], testTimeout: 60_000, hookTimeout: 300_000 },
});
