import type { QuickJSAsyncContext, QuickJSHandle } from 'quickjs-emscripten-core';

/**
 * The two calls into QuickJS that may run code which calls a tool, made so that a tool call may
 * suspend them. quickjs-emscripten does this only for `evalCodeAsync`; its `callFunction` and
 * `executePendingJobs` call the WebAssembly exports directly, and a suspension then returns 0
 * from them as if the call had ended. So the action is started, and its promise jobs (code after
 * an `await`) are run, through Emscripten's `cwrap(…, { async: true })`, which returns a promise
 * settled when the export really returns — internals of the pinned version, kept to this file.
 */
type AsyncExport = (...args: number[]) => Promise<number>;
interface EmscriptenModule {
  cwrap(name: string, returns: 'number', args: 'number'[], options: { async: true }): AsyncExport;
}
const wrapped = new WeakMap<EmscriptenModule, { call: AsyncExport; runJobs: AsyncExport }>();
function asyncExports(module: EmscriptenModule) {
  let exports = wrapped.get(module);
  if (!exports) {
    exports = {
      call: module.cwrap('QTS_Call', 'number', ['number', 'number', 'number', 'number', 'number'], { async: true }),
      runJobs: module.cwrap('QTS_ExecutePendingJob', 'number', ['number', 'number', 'number'], { async: true }),
    };
    wrapped.set(module, exports);
  }
  return exports;
}

interface Internals {
  module: EmscriptenModule & { _malloc(bytes: number): number; HEAPU8: Uint8Array };
  ffi: {
    QTS_ResolveException(ctx: number, value: number): number;
    QTS_FreeValuePointer(ctx: number, value: number): void;
    QTS_FreeValuePointerRuntime(rt: number, value: number): void;
  };
  ctx: { value: number };
  runtime: { rt: { value: number } };
  memory: {
    heapValueHandle(pointer: number): QuickJSHandle;
  };
}

export type CallResult = { value: QuickJSHandle } | { error: QuickJSHandle };

const internals = (context: QuickJSAsyncContext) => context as unknown as Internals;

/** Argument slots for a call, and (last) the out-parameter of the pending-jobs run. */
const SCRATCH_SLOTS = 8;
const MAX_ARGS = SCRATCH_SLOTS - 1;
/**
 * A few words of the instance's memory, allocated once per context and reused by every call
 * (one action is two calls: the action, then its promise jobs; only one runs at a time). They
 * go with the instance. The view is made again when the memory has grown.
 */
class Scratch {
  readonly pointer: number;
  #view: Int32Array;
  constructor(readonly module: Internals['module']) {
    this.pointer = module._malloc(SCRATCH_SLOTS * 4);
    this.#view = new Int32Array(module.HEAPU8.buffer, this.pointer, SCRATCH_SLOTS);
  }
  get words(): Int32Array {
    if (this.#view.buffer !== this.module.HEAPU8.buffer) this.#view = new Int32Array(this.module.HEAPU8.buffer, this.pointer, SCRATCH_SLOTS);
    return this.#view;
  }
}
const scratches = new WeakMap<QuickJSAsyncContext, Scratch>();
function scratchOf(context: QuickJSAsyncContext): Scratch {
  let scratch = scratches.get(context);
  if (!scratch) {
    scratch = new Scratch(internals(context).module);
    scratches.set(context, scratch);
  }
  return scratch;
}

/** `fn(...args)` in the sandbox; a tool called on the way may suspend it. */
export async function asyncCall(context: QuickJSAsyncContext, fn: QuickJSHandle, ...args: QuickJSHandle[]): Promise<CallResult> {
  if (args.length > MAX_ARGS) throw new RangeError(`asyncCall takes at most ${MAX_ARGS} arguments`);
  const { ffi, ctx, memory, module } = internals(context);
  const scratch = scratchOf(context);
  const words = scratch.words;
  for (let i = 0; i < args.length; i++) words[i] = args[i]!.value as number;
  const result = await asyncExports(module).call(ctx.value, fn.value as number, context.undefined.value as number, args.length, scratch.pointer);
  const error = ffi.QTS_ResolveException(ctx.value, result);
  if (error) {
    ffi.QTS_FreeValuePointer(ctx.value, result);
    return { error: memory.heapValueHandle(error) };
  }
  return { value: memory.heapValueHandle(result) };
}

/** Runs the pending promise jobs; the first that throws (an interrupt, memory) is returned as the error. */
export async function runPendingJobs(context: QuickJSAsyncContext): Promise<{ ok: true } | { error: QuickJSHandle }> {
  const { ffi, memory, module, runtime } = internals(context);
  const rt = runtime.rt.value;
  const scratch = scratchOf(context);
  const lastContext = scratch.pointer + MAX_ARGS * 4;
  scratch.words[MAX_ARGS] = 0;
  const result = await asyncExports(module).runJobs(rt, -1, lastContext);
  const jobContext = scratch.words[MAX_ARGS]!;
  if (jobContext === 0) {
    ffi.QTS_FreeValuePointerRuntime(rt, result);
    return { ok: true };
  }
  const handle = memory.heapValueHandle(result);
  if (context.typeof(handle) === 'number') {
    handle.dispose();
    return { ok: true };
  }
  return { error: handle };
}
