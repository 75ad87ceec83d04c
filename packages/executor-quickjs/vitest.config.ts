import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@actkit/source'] },
  ssr: { resolve: { conditions: ['@actkit/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
  },
});
