import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/**/*.test.ts'], execArgv: ['--no-node-snapshot'], testTimeout: 60_000 },
});
