import { resolve } from 'node:path';
import { defineConfig } from 'tsup';
import { textFolderEsbuildPlugin } from './src/build/text-folder.js';

export default defineConfig({
  entry: { index: 'src/index.ts', 'model-spec': 'src/model-spec.ts', 'build/index': 'src/build/index.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // The prompts (src/prompts/*.md) are inlined now: the module that reads them from source is replaced by their text.
  esbuildPlugins: [textFolderEsbuildPlugin(resolve('src/prompts'))],
});
