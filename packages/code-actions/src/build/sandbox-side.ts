import { createRequire } from 'node:module';
import { join } from 'node:path';
import { exactPathFilter } from '@actkit/core/build';

/**
 * Code that runs inside a sandbox (the prelude, the runner and its worker and bridge, an
 * executor's host binding or polyfills) is written as ordinary TypeScript files in a package's
 * `src/sandbox-side/` folder — typed, linted, importing the constants it shares with the host —
 * and turned into self-contained script text here with esbuild: at build time by tsup (the text
 * is inlined into dist, esbuild is not needed there), and when the package runs from source
 * (tests, benches) on first use.
 *
 * Each such folder has an `entries.ts` (its {@link SandboxSideFolder}) and a `sources.ts` that
 * exports `SANDBOX_SIDE_SOURCES = bundleSandboxSide(folder)`; {@link sandboxSideEsbuildPlugin}
 * replaces that module by the text when a bundle is made (tsup, a browser page in a test).
 *
 * Each kind of script is wrapped to fit where it is evaluated:
 * - `script`: statements in their own strict scope, leaving nothing behind but what they define
 *   on `globalThis` on purpose (the prelude);
 * - `function`: a function expression whose parameters the file uses as declared globals, and
 *   whose value is what the file assigns to its `result` (the runner's bridge: evaluated with
 *   `vm.runInContext`, its completion value is the function). Values the host chooses at run
 *   time (a size limit, say) are parameters, never text substituted into the script.
 */
export interface SandboxSideEntry {
  /** File name in the folder, without extension. */
  file: string;
  wrap: { kind: 'script' } | { kind: 'function'; parameters: string[] };
  /** Identifiers replaced by the text of other entries of the folder (esbuild `define`), e.g. the prelude inside the runner. */
  embeds?: Record<string, string>;
  platform: 'neutral' | 'node';
}

/** A package's sandbox-side folder: where its files are, and what to make of them. */
export interface SandboxSideFolder<Name extends string = string> {
  /** Absolute path of the folder (its `sources.ts` is the module the plugin replaces). */
  folder: string;
  entries: Record<Name, SandboxSideEntry>;
}

/** The module of a sandbox-side folder that holds the scripts' text. */
export const SOURCES_MODULE = 'sources.ts';
/** What that module exports. */
export const SOURCES_EXPORT = 'SANDBOX_SIDE_SOURCES';
/** The name a `function` entry assigns its value to. */
export const RESULT_NAME = 'result';

/** Bundles every entry of a sandbox-side folder into its script text (esbuild, synchronously). */
export function bundleSandboxSide<Name extends string>({ folder, entries }: SandboxSideFolder<Name>): Record<Name, string> {
  // Loaded here, not imported: only a build, or the package run from source, bundles.
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const out: Partial<Record<Name, string>> = {};
  const build = (name: Name): string => {
    const done = out[name];
    if (done !== undefined) return done;
    const entry: SandboxSideEntry = entries[name];
    const define: Record<string, string> = {};
    for (const [identifier, embedded] of Object.entries(entry.embeds ?? {})) {
      if (!(embedded in entries)) throw new Error(`sandbox-side ${entry.file}.ts embeds "${embedded}", which is not an entry of its folder.`);
      define[identifier] = JSON.stringify(build(embedded as Name));
    }
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
      if (!new RegExp(`\\b${RESULT_NAME}\\s*=`).test(text)) {
        throw new Error(`sandbox-side ${entry.file}.ts must assign its value to \`${RESULT_NAME}\`.`);
      }
      wrapped = `(function (${entry.wrap.parameters.join(', ')}) {\n'use strict';\nlet ${RESULT_NAME};\n${text}return ${RESULT_NAME};\n})`;
    }
    out[name] = wrapped;
    return wrapped;
  };
  for (const name of Object.keys(entries) as Name[]) build(name);
  return out as Record<Name, string>;
}

/**
 * An esbuild plugin that replaces the `sources.ts` of each given folder (the module that bundles
 * its scripts on first import) by their text, bundled now: for tsup's build of a package, and for
 * any bundle made from the packages' source (e.g. a browser page in a test), where esbuild is not
 * at hand at run time.
 */
export function sandboxSideEsbuildPlugin(...folders: SandboxSideFolder[]): import('esbuild').Plugin {
  return {
    name: 'actkit-sandbox-side',
    setup(build) {
      for (const folder of folders) {
        build.onLoad({ filter: exactPathFilter(join(folder.folder, SOURCES_MODULE)) }, () => ({
          contents: `export const ${SOURCES_EXPORT} = ${JSON.stringify(bundleSandboxSide(folder))};\n`,
          loader: 'js',
        }));
      }
    },
  };
}
