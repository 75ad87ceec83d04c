import { resolve } from 'node:path';
import { sandboxSideEsbuildPlugin } from '@actkit/code-actions/build';
import { defineConfig } from 'tsup';
import { SANDBOX_SIDE } from './src/sandbox-side/entries.js';

// The sandbox-side scripts (the isolate binding) are bundled now, into the text the package ships.
const sandboxSide = sandboxSideEsbuildPlugin({ ...SANDBOX_SIDE, folder: resolve('src/sandbox-side') });
/** The child process's script (built below) has a folder of its own, which the library build's clean leaves alone. */
const RUNNER_FOLDER = 'runner';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: [`!${RUNNER_FOLDER}/**`],
    target: 'node20',
    esbuildPlugins: [sandboxSide],
  },
  // The child process's script, as CommonJS: Node starts it 10–15 ms sooner than an
  // ES module (no ESM loader to set up), and it requires @actkit/code-actions/sandbox's CommonJS
  // build, so the child and this package's parent side run the same installed prelude.
  {
    entry: ['src/isolate-runner.ts'],
    format: ['cjs'],
    outDir: `dist/${RUNNER_FOLDER}`,
    sourcemap: true,
    clean: true,
    target: 'node20',
    // isolated-vm.ts finds the native addon from its own location, import.meta.url, which a
    // CommonJS script has as its file name (made a URL by Node: a path with % or # stays whole).
    esbuildOptions: (options) => {
      options.define = { ...options.define, 'import.meta.url': 'importMetaUrl' };
      // The banner comes before esbuild's "use strict", which must stay the file's first statement.
      options.banner = { js: "'use strict';\nconst importMetaUrl = require('node:url').pathToFileURL(__filename).href;" };
    },
    esbuildPlugins: [sandboxSide],
  },
]);
