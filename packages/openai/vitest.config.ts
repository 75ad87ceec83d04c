import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@actkit/source'] },
  ssr: { resolve: { conditions: ['@actkit/source'] } },
  // CodeAgent tests run isolated-vm in-process, which needs V8's shared heap snapshot off.
  test: { include: ['test/**/*.test.ts'], execArgv: ['--no-node-snapshot'], testTimeout: 20_000 },
});
