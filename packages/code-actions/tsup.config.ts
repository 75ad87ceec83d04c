import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { textFolderEsbuildPlugin } from '@actkit/core/build';
import { defineConfig } from 'tsup';
import { sandboxSideEsbuildPlugin } from './src/build/sandbox-side.js';
import { SANDBOX_SIDE } from './src/sandbox-side/entries.js';

// The sandbox-side scripts are bundled now, into the text the package ships: the module that
// bundles them when running from source is replaced by its result (no esbuild at run time).
const sandboxSide = sandboxSideEsbuildPlugin({ ...SANDBOX_SIDE, folder: resolve('src/sandbox-side') });

export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'sandbox/index': 'src/sandbox/index.ts', 'build/index': 'src/build/index.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    external: ['vitest', 'esbuild'],
    // The prompts (src/agent/prompts/*.md) are inlined the same way as the sandbox-side scripts.
    esbuildPlugins: [sandboxSide, textFolderEsbuildPlugin(resolve('src/agent/prompts'))],
    // The runner as a file too (`@actkit/code-actions/runner.cjs`), for sandboxes whose image or
    // template should hold it rather than receive it at start: the same text as RUNNER_SOURCE.
    onSuccess: async () => {
      const { RUNNER_SOURCE } = (await import(pathToFileURL(resolve('dist/index.js')).href)) as { RUNNER_SOURCE: string };
      writeFileSync('dist/runner.cjs', RUNNER_SOURCE);
    },
  },
  // `./sandbox` for CommonJS too: the local executor's child process is a CommonJS script, because
  // Node starts one 10–15 ms sooner than an ES module (no ESM loader to set up). It
  // requires this package's copy, so the child and its parent always run the same prelude.
  // A folder of its own: the two builds run at once, and each cleans its own.
  {
    entry: { sandbox: 'src/sandbox/index.ts' },
    outDir: 'dist-cjs',
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    esbuildPlugins: [sandboxSide],
  },
]);
