import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@actkit/source'] },
  ssr: { resolve: { conditions: ['@actkit/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 180_000,
    // One file at a time: they share the engine, and the cleanup tests count containers.
    fileParallelism: false,
  },
});
