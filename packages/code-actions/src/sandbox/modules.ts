import { ExecutorError } from '@actkit/core';
import { DEFINE_LAZY_MODULE, DEFINE_MODULE } from './contract.js';

/** A module the code may import, bundled into one script that registers it in the sandbox. */
export interface ModuleBundle {
  name: string;
  code: string;
}

const cache = new Map<string, Promise<ModuleBundle>>();

/**
 * Bundles the allowed modules (pure-JS npm packages such as lodash or date-fns), resolved from
 * `resolveFrom`, each into a self-contained script with esbuild — once per process. Every
 * executor that runs the prelude in-process (isolated-vm, QuickJS) evaluates them in each fresh
 * sandbox; nothing else can be imported. esbuild is an optional peer, loaded only here. A package that needs Node's
 * built-ins (fs, net…) fails here, with a clear error, rather than inside the sandbox.
 */
export function bundleModules(names: readonly string[], resolveFrom: string): Promise<ModuleBundle[]> {
  return Promise.all(names.map((name) => bundleOne(name, resolveFrom)));
}

function bundleOne(name: string, resolveFrom: string): Promise<ModuleBundle> {
  const key = `${resolveFrom}\0${name}`;
  let bundle = cache.get(key);
  if (!bundle) {
    bundle = build(name, resolveFrom);
    cache.set(key, bundle);
    bundle.catch(() => cache.delete(key));
  }
  return bundle;
}

async function build(name: string, resolveFrom: string): Promise<ModuleBundle> {
  // Node's module resolution, loaded here: this module is part of every code-actions import,
  // also in runtimes without it (a browser page), where only modules bundled beforehand are used.
  const [{ createRequire }, { join }] = await Promise.all([import('node:module'), import('node:path')]);
  try {
    createRequire(join(resolveFrom, 'noop.js')).resolve(name);
  } catch {
    throw new ExecutorError(`Module "${name}" is not installed where the executor looks (${resolveFrom}): install it, or set \`resolveModulesFrom\`.`);
  }
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    throw new ExecutorError(
      'Allowed modules (`modules`) are bundled for the sandbox with esbuild, which is not installed: add it to your project (npm install esbuild).',
      { cause: error },
    );
  }
  try {
    const result = await esbuild.build({
      stdin: { contents: `import * as ns from ${JSON.stringify(name)};\n${DEFINE_MODULE}(${JSON.stringify(name)}, ns);`, resolveDir: resolveFrom },
      bundle: true,
      format: 'iife',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      target: 'es2022',
      write: false,
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    // Registered lazily: a fresh sandbox only compiles the wrapper (an isolate from V8's code cache
    // after the first), and the module runs at its first import — most actions never import anything.
    const code = `${DEFINE_LAZY_MODULE}(${JSON.stringify(name)}, function () {\n${result.outputFiles[0]!.text}\n});\n`;
    return { name, code };
  } catch (error) {
    throw new ExecutorError(`Module "${name}" cannot be loaded in the sandbox (it must be pure JavaScript): ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
}
