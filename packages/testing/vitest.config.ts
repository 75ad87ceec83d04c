import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@actkit/source'] },
  ssr: { resolve: { conditions: ['@actkit/source'] } },
  test: {
    // Generous: CI machines are shared and loaded; no test may fail for being slow.
    testTimeout: 60_000,
    hookTimeout: 60_000, include: ['test/**/*.test.ts'] },
});
