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
  module: EmscriptenModule;
  ffi: {
    QTS_ResolveException(ctx: number, value: number): number;
    QTS_FreeValuePointer(ctx: number, value: number): void;
    QTS_FreeValuePointerRuntime(rt: number, value: number): void;
  };
  ctx: { value: number };
  rt: { value: number };
  memory: {
    toPointerArray(handles: QuickJSHandle[]): { value: number; dispose(): void };
    newMutablePointerArray(length: number): { value: { ptr: number; typedArray: Int32Array }; dispose(): void };
    heapValueHandle(pointer: number): QuickJSHandle;
  };
}

export type CallResult = { value: QuickJSHandle } | { error: QuickJSHandle };

const internals = (context: QuickJSAsyncContext) => context as unknown as Internals;

/** `fn(...args)` in the sandbox; a tool called on the way may suspend it. */
export async function asyncCall(context: QuickJSAsyncContext, fn: QuickJSHandle, ...args: QuickJSHandle[]): Promise<CallResult> {
  const { ffi, ctx, memory, module } = internals(context);
  const argv = memory.toPointerArray(args);
  let result: number;
  try {
    result = await asyncExports(module).call(ctx.value, fn.value as number, context.undefined.value as number, args.length, argv.value);
  } finally {
    argv.dispose();
  }
  const error = ffi.QTS_ResolveException(ctx.value, result);
  if (error) {
    ffi.QTS_FreeValuePointer(ctx.value, result);
    return { error: memory.heapValueHandle(error) };
  }
  return { value: memory.heapValueHandle(result) };
}

/** Runs the pending promise jobs; the first that throws (an interrupt, memory) is returned as the error. */
export async function runPendingJobs(context: QuickJSAsyncContext): Promise<{ ok: true } | { error: QuickJSHandle }> {
  const { ffi, memory, module } = internals(context);
  const rt = (internals(context.runtime as unknown as QuickJSAsyncContext) as unknown as { rt: { value: number } }).rt.value;
  const lastContext = memory.newMutablePointerArray(1);
  let result: number;
  let jobContext: number;
  try {
    result = await asyncExports(module).runJobs(rt, -1, lastContext.value.ptr);
    jobContext = lastContext.value.typedArray[0]!;
  } finally {
    lastContext.dispose();
  }
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
