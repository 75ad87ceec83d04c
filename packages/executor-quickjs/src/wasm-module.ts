import { newQuickJSAsyncWASMModuleFromVariant, newVariant, type QuickJSAsyncWASMModule } from 'quickjs-emscripten-core';

/** A build of QuickJS for quickjs-emscripten, asyncify flavour (e.g. `@jitl/quickjs-singlefile-browser-release-asyncify`). */
export type QuickJSAsyncVariant = Extract<Parameters<typeof newQuickJSAsyncWASMModuleFromVariant>[0], { type: 'async' }>;

/** The WebAssembly API of the JavaScript runtime (this package's types leave the DOM's out). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Memory: new (descriptor: { initial: number; maximum: number }) => object;
}
type WasmModule = object;
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const DEFAULT_VARIANT = '@jitl/quickjs-wasmfile-release-asyncify';
const PAGE = 65_536;
/** The build's initial memory (16 MB) and its largest (2 GB): a limit outside them is moved to the nearest. */
const MIN_PAGES = 256;
const MAX_PAGES = 32_768;

/**
 * WebAssembly instances of QuickJS, one per sandbox. Asyncify lets one call at a time be
 * suspended per instance (a sandbox waiting on a host tool), so sandboxes never share one.
 *
 * The WebAssembly code is compiled once per process and variant; an instance of it costs a few
 * milliseconds (its linear memory is allocated and initialised) — see SandboxPool for why a new
 * sandbox rarely waits for that.
 *
 * The memory limit is the instance's own: its WebAssembly memory is created with that maximum,
 * so QuickJS's allocations fail (an out-of-memory error in the sandbox) when the code has used it
 * up — bounded by construction, whatever QuickJS counts. (This build's own allocator limit cannot
 * see the size of large blocks, so it is not relied on.)
 */
export class QuickJSInstances {
  /** The variant, and its WebAssembly compiled once when this runtime lets us (see loadDefaultVariant). */
  #variant: Promise<{ variant: QuickJSAsyncVariant; wasmModule?: WasmModule }>;

  constructor(variant?: QuickJSAsyncVariant) {
    this.#variant = keepWasmOffOptimizingTierOnOldV8().then(() => (variant ? { variant } : loadDefaultVariant()));
    // A failed load is reported by take(), not as an unhandled rejection now.
    this.#variant.catch(() => {});
  }

  /** A new instance whose memory cannot grow past `memoryLimitMb`. */
  async create(memoryLimitMb: number): Promise<QuickJSAsyncWASMModule> {
    const pages = Math.max(MIN_PAGES, Math.min(MAX_PAGES, Math.ceil((memoryLimitMb * 1024 * 1024) / PAGE)));
    const wasmMemory = new wasm.Memory({ initial: MIN_PAGES, maximum: pages });
    // newVariant does not compose (an outer one's options are lost): one call with every option.
    const { variant, wasmModule } = await this.#variant;
    return newQuickJSAsyncWASMModuleFromVariant(newVariant(variant, { wasmMemory, ...(wasmModule ? { wasmModule } : {}) } as Parameters<typeof newVariant>[1]) as QuickJSAsyncVariant);
  }
}

/**
 * V8 before 12 (Node 20) gives the optimized code of this build's interpreter loop (QuickJS's
 * `JS_CallInternal`, enlarged by asyncify) a frame of tens of kilobytes: once V8 has tiered it
 * up, about 20 nested JavaScript calls in the sandbox overflow the host thread's stack — a
 * crash QuickJS's own stack limit never sees (`import "lodash"` alone needs more). Keeping
 * WebAssembly on V8's baseline compiler avoids it; the flag is process-wide, so it is set only
 * where V8 has the fault. Newer V8 (Node 22+, current browsers) is left alone.
 */
async function keepWasmOffOptimizingTierOnOldV8(): Promise<void> {
  const v8Version = typeof process === 'object' ? process.versions?.v8 : undefined;
  if (!v8Version || Number(v8Version.split('.')[0]) >= 12) return;
  const v8 = await import('node:v8');
  v8.setFlagsFromString('--liftoff-only');
}

/**
 * The default variant (the WebAssembly in its own file), with its code compiled once when this
 * runtime can read the file (Node, Bun, Deno); elsewhere the variant loads it itself each time.
 */
async function loadDefaultVariant(): Promise<{ variant: QuickJSAsyncVariant; wasmModule?: WasmModule }> {
  let variant: QuickJSAsyncVariant;
  try {
    variant = (await import('@jitl/quickjs-wasmfile-release-asyncify')).default as QuickJSAsyncVariant;
  } catch (error) {
    throw new Error(`The QuickJS executor needs ${DEFAULT_VARIANT} (a dependency of @actkit/executor-quickjs), or a \`variant\` option: ${(error as Error).message}`);
  }
  const wasmModule = await compileWasmFile().catch(() => undefined);
  return wasmModule ? { variant, wasmModule } : { variant };
}

async function compileWasmFile(): Promise<WasmModule> {
  const [{ createRequire }, { readFile }] = await Promise.all([import('node:module'), import('node:fs/promises')]);
  const file = createRequire(import.meta.url).resolve(`${DEFAULT_VARIANT}/wasm`);
  return wasm.compile(await readFile(file));
}
