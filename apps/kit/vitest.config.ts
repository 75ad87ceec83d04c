import { defineConfig } from 'vitest/config';

// Runs the workspace packages from source; --no-node-snapshot lets isolated-vm run in-process.
export default defineConfig({
  resolve: { conditions: ['@actkit/source'] },
  ssr: { resolve: { conditions: ['@actkit/source'] } },
  test: { include: ['test/**/*.test.ts'], execArgv: ['--no-node-snapshot'], testTimeout: 60_000 },
});
