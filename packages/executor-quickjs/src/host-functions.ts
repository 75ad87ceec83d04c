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
 * argument, runs the function through a generator so it may be async, and — when it answers with
 * a promise — records where it suspended as an `Error` (a stack trace through every WebAssembly
 * frame: a third of a suspended call's cost). The sandbox's host functions only ever take and give
 * strings, so here they read their arguments as strings straight from the argument vector, give
 * back a new string value, and a promise suspends the code through Emscripten's asyncify
 * `handleSleep` directly, its settled value handed to the rewind in the same microtask. Calls of
 * every other function go the library's way.
 *
 * This replaces the module's C→JS call callback, an internal of the pinned quickjs-emscripten
 * version (as in asyncify-calls.ts). Where it is not found, the functions are made with
 * `newAsyncifiedFunction`: slower, the same behaviour.
 */
interface Internals {
  module: { callbacks?: { callFunction?: ModuleCallFunction } };
  runtime: { hostRefs?: { get(id: number): unknown } };
  ffi: {
    QTS_ArgvGetJSValueConstPointer(argv: number, index: number): number;
    QTS_GetString(ctx: number, value: number): number;
    QTS_NewString(ctx: number, chars: number): number;
    QTS_Throw(ctx: number, error: number): number;
    QTS_Eval(ctx: number, chars: number, length: number, filename: string, detectModule: number, flags: number): number;
    QTS_ResolveException(ctx: number, value: number): number;
    QTS_FreeValuePointer(ctx: number, value: number): void;
  };
  ctx: { value: number };
  memory: {
    consumeJSCharPointer(pointer: number): string;
    newHeapCharPointer(text: string): { consume<T>(use: (chars: { value: { ptr: number; strlen: number } }) => T): T };
  };
}
/** Emscripten's asyncify hook, given to every import that may suspend: `handleSleep(start)` unwinds the stack until `start`'s `wakeUp(value)`, then rewinds it (and, called again during the rewind, returns `value`). */
interface Asyncify {
  handleSleep(start: (wakeUp: (value: number) => void) => void): number;
}
type ModuleCallFunction = (asyncify: Asyncify | undefined, ctx: number, thisPointer: number, argc: number, argv: number, fnId: number) => number;
/** A fast host function: its arguments as strings; its result a new QuickJS value (a pointer the C side takes over), or a promise of the string to give back later. */
type FastCall = (args: string[]) => number | Promise<string>;

/** What the fast path needs of a context: its pointer helpers, and where to register a function. */
interface FastPath {
  functions: WeakMap<object, FastCall>;
  newString(text: string): number;
  thrown(error: unknown): number;
  /** Compiles and runs `source` as global code named `filename`; its value, or the exception thrown into the caller. */
  evaluate(source: string, filename: string): number;
}

const fastPaths = new WeakMap<QuickJSAsyncContext, FastPath | undefined>();

function fastPathOf(context: QuickJSAsyncContext): FastPath | undefined {
  if (!fastPaths.has(context)) fastPaths.set(context, installFastPath(context));
  return fastPaths.get(context);
}

/** Whether this context's string host functions take the fast path (false: the library's way, as where the pinned internals are not found). */
export function hasFastHostCalls(context: QuickJSAsyncContext): boolean {
  return fastPathOf(context) !== undefined;
}

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
  const fast = fastPathOf(context);
  fast?.functions.set(registered, (args) => {
    const result = fn(...args);
    // 0 is `undefined` to the caller in QuickJS.
    if (result === undefined) return 0;
    if (typeof result === 'string') return fast.newString(result);
    // A promise suspends the code until it settles (see installFastPath).
    return result;
  });
  return handle;
}

/**
 * An `eval` of the host's: compiles its one argument as global code, under the file name
 * `filenameOf(source)` gives (QuickJS's own `eval` names everything `<input>`), and returns the
 * code's value; a syntax error is thrown into the caller. The prelude compiles every action with
 * it, so it is on the hot path too.
 */
export function newEvalHostFunction(context: QuickJSAsyncContext, name: string, filenameOf: (source: string) => string): QuickJSHandle {
  const registered = (source: QuickJSHandle) => {
    const text = context.getString(source);
    return context.evalCode(text, filenameOf(text), { type: 'global' });
  };
  const handle = context.newFunction(name, registered);
  const fast = fastPathOf(context);
  fast?.functions.set(registered, (args) => {
    const text = args[0] ?? 'undefined';
    return fast.evaluate(text, filenameOf(text));
  });
  return handle;
}

function installFastPath(context: QuickJSAsyncContext): FastPath | undefined {
  const internals = context as unknown as Internals;
  const callbacks = internals.module?.callbacks;
  const hostRefs = internals.runtime.hostRefs;
  const libraryCall = callbacks?.callFunction;
  if (!callbacks || !libraryCall || !hostRefs) return undefined;
  const { ffi, memory } = internals;
  const ctx = internals.ctx.value;
  const fast: FastPath = {
    functions: new WeakMap(),
    newString: (text) => memory.newHeapCharPointer(text).consume((chars) => ffi.QTS_NewString(ctx, chars.value.ptr)),
    thrown: (error) =>
      (error instanceof Error ? context.newError({ name: error.name, message: error.message }) : context.newError(String(error))).consume((handle) =>
        ffi.QTS_Throw(ctx, handle.value as number),
      ),
    evaluate: (source, filename) => {
      // As `evalCode(source, filename, { type: "global" })`: no module detection, flags 0 (global code).
      const result = memory.newHeapCharPointer(source).consume((chars) => ffi.QTS_Eval(ctx, chars.value.ptr, chars.value.strlen, filename, 0, 0));
      const error = ffi.QTS_ResolveException(ctx, result);
      if (!error) return result;
      ffi.QTS_FreeValuePointer(ctx, result);
      const thrown = ffi.QTS_Throw(ctx, error);
      ffi.QTS_FreeValuePointer(ctx, error);
      return thrown;
    },
  };
  // Set while a fast function's promise holds the code suspended: the next call of this hook in
  // this context is the rewind arriving back at that call (one suspension at a time per instance).
  let suspended = false;
  callbacks.callFunction = (asyncify, callCtx, thisPointer, argc, argv, fnId) => {
    if (callCtx !== ctx) return libraryCall(asyncify, callCtx, thisPointer, argc, argv, fnId);
    if (suspended && asyncify) {
      suspended = false;
      // Rewinding: handleSleep ends the rewind and returns the value given to wakeUp.
      return asyncify.handleSleep(() => {});
    }
    const hostFunction = hostRefs.get(fnId);
    const call = typeof hostFunction === 'function' ? fast.functions.get(hostFunction) : undefined;
    if (!call) return libraryCall(asyncify, callCtx, thisPointer, argc, argv, fnId);
    let result: number | Promise<string>;
    try {
      const args: string[] = [];
      for (let i = 0; i < argc; i++) args.push(memory.consumeJSCharPointer(ffi.QTS_GetString(ctx, ffi.QTS_ArgvGetJSValueConstPointer(argv, i))));
      result = call(args);
    } catch (error) {
      return fast.thrown(error);
    }
    // Answered at once: the value goes straight back, no suspension (what handleSleep would do too).
    if (typeof result === 'number') return result;
    if (!asyncify) return fast.thrown(new Error('This QuickJS build cannot wait for a host promise.'));
    const answer = result;
    suspended = true;
    return asyncify.handleSleep((wakeUp) => {
      // The rewind runs inside wakeUp, in the microtask the answer settles in. A rejection is
      // thrown into the code. Should the rewind itself fail (the instance broken), the action's
      // own call reports it; nothing is left to reject unhandled here.
      answer.then(
        (text) => wakeUp(fast.newString(text)),
        (error) => wakeUp(fast.thrown(error)),
      ).catch(() => {});
    });
  };
  return fast;
}
