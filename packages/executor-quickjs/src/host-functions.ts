import type { QuickJSAsyncContext, QuickJSHandle } from 'quickjs-emscripten-core';

/**
 * A host function of the sandbox that takes strings and gives a string (or nothing), and may
 * answer later (a promise: the code is suspended until then, as with `newAsyncifiedFunction`).
 */
export type StringHostFunction = (...args: string[]) => string | undefined | Promise<string>;

/**
 * Host functions called on the sandbox's hot paths (a tool call, `console.log`), dispatched
 * without quickjs-emscripten's general machinery.
 *
 * For every call into the host, quickjs-emscripten makes a scope, a handle for `this` and each
 * argument, and runs the function through a generator so it may be async: about 8 µs a call,
 * most of a tool call's cost (a bare wasm→JS call is well under 1 µs). The sandbox's host
 * functions only ever take and give strings, so here they read their arguments as strings
 * straight from the argument vector and give back a new string value. Calls of every other
 * function go the library's way.
 *
 * This replaces the context's C→JS call callback, an internal of the pinned quickjs-emscripten
 * version (as in asyncify-calls.ts). Where it is not found, the functions are made with
 * `newAsyncifiedFunction`: slower, the same behaviour.
 */
interface Internals {
  cToHostCallbacks?: { callFunction?: CallFunction };
  runtime: { hostRefs?: { get(id: number): unknown } };
  ffi: {
    QTS_ArgvGetJSValueConstPointer(argv: number, index: number): number;
    QTS_GetString(ctx: number, value: number): number;
    QTS_NewString(ctx: number, chars: number): number;
    QTS_Throw(ctx: number, error: number): number;
  };
  ctx: { value: number };
  memory: {
    consumeJSCharPointer(pointer: number): string;
    newHeapCharPointer(text: string): { consume<T>(use: (chars: { value: { ptr: number } }) => T): T };
  };
}
type CallFunction = (ctx: number, thisPointer: number, argc: number, argv: number, fnId: number) => number | Promise<number>;

/** The fast functions of each context, by the host function the library registered for them. */
const fastFunctions = new WeakMap<QuickJSAsyncContext, WeakMap<object, StringHostFunction>>();

export function newStringHostFunction(context: QuickJSAsyncContext, name: string, fn: StringHostFunction): QuickJSHandle {
  // The library's way, with the same behaviour: what runs where the fast path is not in place.
  // The library keeps this function as the host reference the sandbox's function calls.
  const registered = (...handles: QuickJSHandle[]) => {
    const result = fn(...handles.map((handle) => context.getString(handle)));
    if (result === undefined) return undefined;
    return typeof result === 'string' ? context.newString(result) : result.then((text) => context.newString(text));
  };
  // Typed as always async by the library; a plain value is fine (it is returned without suspending).
  const handle = context.newAsyncifiedFunction(name, registered as unknown as Parameters<QuickJSAsyncContext['newAsyncifiedFunction']>[1]);
  (fastFunctions.get(context) ?? installFastPath(context))?.set(registered, fn);
  return handle;
}

function installFastPath(context: QuickJSAsyncContext): WeakMap<object, StringHostFunction> | undefined {
  const internals = context as unknown as Internals;
  const callbacks = internals.cToHostCallbacks;
  const hostRefs = internals.runtime.hostRefs;
  const libraryCall = callbacks?.callFunction;
  if (!callbacks || !libraryCall || !hostRefs) return undefined;
  const functions = new WeakMap<object, StringHostFunction>();
  fastFunctions.set(context, functions);
  const { ffi, memory } = internals;
  const ctx = internals.ctx.value;
  const newString = (text: string) => memory.newHeapCharPointer(text).consume((chars) => ffi.QTS_NewString(ctx, chars.value.ptr));
  const thrown = (error: unknown) =>
    (error instanceof Error ? context.newError({ name: error.name, message: error.message }) : context.newError(String(error))).consume((handle) => ffi.QTS_Throw(ctx, handle.value as number));
  callbacks.callFunction = (callCtx, thisPointer, argc, argv, fnId) => {
    const hostFunction = hostRefs.get(fnId);
    const fast = typeof hostFunction === 'function' ? functions.get(hostFunction) : undefined;
    if (!fast || callCtx !== ctx) return libraryCall(callCtx, thisPointer, argc, argv, fnId);
    let result: string | undefined | Promise<string>;
    try {
      const args: string[] = [];
      for (let i = 0; i < argc; i++) args.push(memory.consumeJSCharPointer(ffi.QTS_GetString(ctx, ffi.QTS_ArgvGetJSValueConstPointer(argv, i))));
      result = fast(...args);
    } catch (error) {
      return thrown(error);
    }
    // 0 is `undefined` to the caller in QuickJS; a new value is handed over (the C side frees the pointer).
    if (result === undefined) return 0;
    if (typeof result === 'string') return newString(result);
    // A promise suspends the code (the module's asyncify handler); it must settle to a value, never reject.
    return result.then(newString, thrown);
  };
  return functions;
}
