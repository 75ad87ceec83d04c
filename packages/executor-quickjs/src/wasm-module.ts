import { newQuickJSAsyncWASMModuleFromVariant, newVariant, type QuickJSAsyncWASMModule } from 'quickjs-emscripten-core';

/** A build of QuickJS for quickjs-emscripten, asyncify flavour (e.g. `@jitl/quickjs-singlefile-browser-release-asyncify`). */
export type QuickJSAsyncVariant = Extract<Parameters<typeof newQuickJSAsyncWASMModuleFromVariant>[0], { type: 'async' }>;

const DEFAULT_VARIANT = '@jitl/quickjs-wasmfile-release-asyncify';

/**
 * WebAssembly instances of QuickJS, one per sandbox. Asyncify lets one call at a time be
 * suspended per instance (a sandbox waiting on a host tool), so sandboxes never share one.
 *
 * The WebAssembly code is compiled once per process and variant; an instance of it costs a few
 * milliseconds (its linear memory is allocated and initialised). So one spare instance is kept
 * ready: taking it starts the next one in the background, and a new sandbox usually finds one.
 */
export class QuickJSInstances {
  #variant: Promise<QuickJSAsyncVariant>;
  #spare: Promise<QuickJSAsyncWASMModule> | undefined;

  constructor(variant?: QuickJSAsyncVariant) {
    this.#variant = variant ? Promise.resolve(variant) : loadDefaultVariant();
    // A failed load is reported by take(), not as an unhandled rejection now.
    this.#variant.catch(() => {});
  }

  /** The WebAssembly code, compiled (the one-time cost of the first sandbox). */
  async load(): Promise<void> {
    await this.#variant;
  }

  async take(): Promise<QuickJSAsyncWASMModule> {
    const taken = this.#spare ?? this.#instantiate();
    this.#spare = undefined;
    const instance = await taken;
    this.#prepareSpare();
    return instance;
  }

  #prepareSpare(): void {
    if (this.#spare) return;
    const spare = this.#instantiate();
    spare.catch(() => {
      if (this.#spare === spare) this.#spare = undefined;
    });
    this.#spare = spare;
  }

  async #instantiate(): Promise<QuickJSAsyncWASMModule> {
    return newQuickJSAsyncWASMModuleFromVariant(await this.#variant);
  }
}

/**
 * The default variant (the WebAssembly in its own file), with its code compiled once when this
 * runtime can read the file (Node, Bun, Deno); elsewhere the variant loads it itself each time.
 */
async function loadDefaultVariant(): Promise<QuickJSAsyncVariant> {
  let variant: QuickJSAsyncVariant;
  try {
    variant = (await import('@jitl/quickjs-wasmfile-release-asyncify')).default as QuickJSAsyncVariant;
  } catch (error) {
    throw new Error(`The QuickJS executor needs ${DEFAULT_VARIANT} (a dependency of @actkit/executor-quickjs), or a \`variant\` option: ${(error as Error).message}`);
  }
  const compiled = await compileWasmFile().catch(() => undefined);
  return compiled ? (newVariant(variant, { wasmModule: compiled }) as QuickJSAsyncVariant) : variant;
}

async function compileWasmFile(): Promise<WebAssembly.Module> {
  const [{ createRequire }, { readFile }] = await Promise.all([import('node:module'), import('node:fs/promises')]);
  const file = createRequire(import.meta.url).resolve(`${DEFAULT_VARIANT}/wasm`);
  return WebAssembly.compile(await readFile(file));
}
