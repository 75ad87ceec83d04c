import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { textFolderEsbuildPlugin } from '@actkit/core/build';
import { defineConfig } from 'tsup';
import { sandboxSideEsbuildPlugin } from './src/build/sandbox-side.js';
import { SANDBOX_SIDE } from './src/sandbox-side/entries.js';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'sandbox/index': 'src/sandbox/index.ts', 'build/index': 'src/build/index.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: ['vitest', 'esbuild'],
  // The sandbox-side scripts are bundled now, into the text the package ships: the module that
  // bundles them when running from source is replaced by its result (no esbuild at run time).
  // The prompts (src/agent/prompts/*.md) are inlined the same way.
  esbuildPlugins: [sandboxSideEsbuildPlugin({ ...SANDBOX_SIDE, folder: resolve('src/sandbox-side') }), textFolderEsbuildPlugin(resolve('src/agent/prompts'))],
  // The runner as a file too (`@actkit/code-actions/runner.cjs`), for sandboxes whose image or
  // template should hold it rather than receive it at start: the same text as RUNNER_SOURCE.
  onSuccess: async () => {
    const { RUNNER_SOURCE } = (await import(pathToFileURL(resolve('dist/index.js')).href)) as { RUNNER_SOURCE: string };
    writeFileSync('dist/runner.cjs', RUNNER_SOURCE);
  },
});
