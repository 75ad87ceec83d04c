import { resolve } from 'node:path';
import { sandboxSideEsbuildPlugin } from '@actkit/code-actions/build';
import { defineConfig } from 'tsup';
import { SANDBOX_SIDE } from './src/sandbox-side/entries.js';

export default defineConfig({
  entry: ['src/index.ts', 'src/isolate-runner.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // The sandbox-side scripts (the isolate binding) are bundled now, into the text the package ships.
  esbuildPlugins: [sandboxSideEsbuildPlugin({ ...SANDBOX_SIDE, folder: resolve('src/sandbox-side') })],
});
