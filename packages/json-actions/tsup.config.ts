import { resolve } from 'node:path';
import { textFolderEsbuildPlugin } from '@actkit/core/build';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // The prompts (src/prompts/*.md) are inlined now: the module that reads them from source is replaced by their text.
  esbuildPlugins: [textFolderEsbuildPlugin(resolve('src/prompts'))],
});
