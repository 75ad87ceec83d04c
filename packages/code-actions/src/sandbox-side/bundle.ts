import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Code that runs inside a sandbox (the prelude, the runner and its worker and bridge) is written
 * as ordinary TypeScript files in this folder — typed, linted, importing the constants it shares
 * with the host — and turned into self-contained script text here with esbuild: at build time by
 * tsup (the text is inlined into dist, esbuild is not needed there), and when the package runs
 * from source (tests, benches) on first use.
 *
 * Each kind of script is wrapped to fit where it is evaluated:
 * - `script`: statements in their own strict scope, leaving nothing behind but what they define
 *   on `globalThis` on purpose (the prelude);
 * - `function`: a function expression whose parameters the file uses as declared globals, and
 *   whose value is what the file assigns to its `result` (the runner's bridge: evaluated with
 *   `vm.runInContext`, its completion value is the function).
 */
export interface SandboxSideEntry {
  /** File name in this folder, without extension. */
  file: string;
  wrap: { kind: 'script' } | { kind: 'function'; parameters: string[] };
  /** Identifiers replaced by the text of other entries (esbuild `define`), e.g. the prelude inside the runner. */
  embeds?: Record<string, string>;
  platform: 'neutral' | 'node';
}

export const SANDBOX_SIDE_ENTRIES = {
  prelude: { file: 'prelude', wrap: { kind: 'script' }, platform: 'neutral' },
  runnerBridge: { file: 'runner-bridge', wrap: { kind: 'function', parameters: ['callTool', 'log', 'settle'] }, platform: 'neutral' },
  runnerWorker: { file: 'runner-worker', wrap: { kind: 'script' }, platform: 'node' },
  runner: {
    file: 'runner-main',
    wrap: { kind: 'script' },
    platform: 'node',
    embeds: { ACTKIT_PRELUDE_SOURCE: 'prelude', ACTKIT_BRIDGE_SOURCE: 'runnerBridge', ACTKIT_WORKER_SOURCE: 'runnerWorker' },
  },
} satisfies Record<string, SandboxSideEntry>;

export type SandboxSideSources = Record<keyof typeof SANDBOX_SIDE_ENTRIES, string>;

/** The name a `function` entry assigns its value to. */
export const RESULT_NAME = 'result';

/** Bundles every sandbox-side entry into its script text (esbuild, synchronously). */
export function bundleSandboxSide(folder = dirname(fileURLToPath(import.meta.url))): SandboxSideSources {
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const out: Partial<SandboxSideSources> = {};
  const build = (name: keyof SandboxSideSources): string => {
    if (out[name]) return out[name];
    const entry: SandboxSideEntry = SANDBOX_SIDE_ENTRIES[name];
    const define: Record<string, string> = {};
    for (const [identifier, embedded] of Object.entries(entry.embeds ?? {})) define[identifier] = JSON.stringify(build(embedded as keyof SandboxSideSources));
    const result = esbuild.buildSync({
      entryPoints: [join(folder, `${entry.file}.ts`)],
      bundle: true,
      write: false,
      // Flat statements, scoped by the wrapper below; Node's modules (in the runner) by require().
      format: entry.platform === 'node' ? 'cjs' : 'esm',
      platform: entry.platform,
      target: 'es2022',
      // Names as written: stack traces and the hardening's comments stay readable.
      minify: false,
      keepNames: false,
      legalComments: 'none',
      define,
      logLevel: 'silent',
    });
    const text = result.outputFiles[0]!.text;
    if (/^\s*(import|export)\b/m.test(text)) throw new Error(`sandbox-side ${entry.file}.ts: the bundle still imports or exports; it must be self-contained.`);
    let wrapped: string;
    if (entry.wrap.kind === 'script') wrapped = `'use strict';\n(() => {\n${text}})();\n`;
    else {
      if (!new RegExp(`\\b${RESULT_NAME}\\s*=`).test(text)) throw new Error(`sandbox-side ${entry.file}.ts must assign its value to \`${RESULT_NAME}\`.`);
      wrapped = `(function (${entry.wrap.parameters.join(', ')}) {\n'use strict';\nlet ${RESULT_NAME};\n${text}return ${RESULT_NAME};\n})`;
    }
    out[name] = wrapped;
    return wrapped;
  };
  for (const name of Object.keys(SANDBOX_SIDE_ENTRIES) as Array<keyof SandboxSideSources>) build(name);
  return out as SandboxSideSources;
}

/**
 * An esbuild plugin that replaces the module bundling these scripts on first import
 * (sources.ts) by their text, bundled now: for tsup's build of this package, and for any bundle
 * made from the package's source (e.g. a browser page in a test), where esbuild is not at hand.
 */
export function sandboxSideEsbuildPlugin(folder = dirname(fileURLToPath(import.meta.url))): import('esbuild').Plugin {
  return {
    name: 'actkit-sandbox-side',
    setup(build) {
      build.onLoad({ filter: /[\\/]sandbox-side[\\/]sources\.ts$/ }, () => ({
        contents: `export const SANDBOX_SIDE_SOURCES = ${JSON.stringify(bundleSandboxSide(folder))};\n`,
        loader: 'js',
      }));
    },
  };
}
