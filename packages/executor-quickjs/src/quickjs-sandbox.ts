import { ActionClock, HOST_BINDING, copyInLimit, RUN_ACTION, SANDBOX_PRELUDE, type SandboxRunOutcome, type StopSignal, sizedToolReply } from '@actkit/code-actions';
import type { QuickJSAsyncContext, QuickJSAsyncWASMModule, QuickJSHandle } from 'quickjs-emscripten-core';
import { asyncCall, runPendingJobs } from './asyncify-calls.js';
import { newEvalHostFunction, newStringHostFunction } from './host-functions.js';
import { SANDBOX_SIDE_SOURCES } from './sandbox-side/sources.js';

/** What a running action asks of the host: tool calls and streamed console output. */
export interface ActionHandlers {
  /** The reply JSON; a plain string when the tool answered at once, and the code goes on without suspending. */
  callTool(name: string, inputJson: string): string | Promise<string>;
  log(text: string): void;
}

export interface SandboxLimits {
  memoryLimitMb: number;
  stackLimitKb: number;
}

/** A module the code may import: a script that registers it in the sandbox (see `bundleModules`). */
export interface ModuleScript {
  name: string;
  code: string;
}

const OUT_OF_MEMORY = /out of memory/i;

/**
 * One QuickJS runtime and context in a WebAssembly instance of its own, with the prelude of
 * `@actkit/code-actions` installed: the unit of state of the QuickJS executor.
 *
 * The code runs on the host's thread. A tool is an asyncified host function: calling it unwinds
 * the WebAssembly stack, the host awaits the tool, and the stack is rewound — so for the code a
 * tool is a plain synchronous function. The time limit is QuickJS's interrupt handler, asked
 * every few thousand instructions, which also covers code after an `await` (the host runs the
 * promise jobs itself). Memory is QuickJS's own allocator limit, and the WebAssembly memory
 * behind it cannot grow past 2 GB whatever happens: a memory bomb ends the action, never the host.
 */
export class QuickJSSandbox {
  readonly #context: QuickJSAsyncContext;
  readonly #runAction: QuickJSHandle;
  /** Where the sandbox's host calls go during the current action. */
  #handlers: ActionHandlers | undefined;
  /** Set when the current action must stop; the interrupt handler reads it. */
  #stop: (() => boolean) | undefined;
  #disposed = false;

  private constructor(context: QuickJSAsyncContext, runAction: QuickJSHandle) {
    this.#context = context;
    this.#runAction = runAction;
  }

  static create(instance: QuickJSAsyncWASMModule, limits: SandboxLimits, modules: readonly ModuleScript[]): QuickJSSandbox {
    const runtime = instance.newRuntime();
    runtime.setMemoryLimit(limits.memoryLimitMb * 1024 * 1024);
    runtime.setMaxStackSize(limits.stackLimitKb * 1024);
    const context = runtime.newContext();
    let sandbox: QuickJSSandbox | undefined;
    const global = context.global;
    // A string returned here goes back to the code at once; only a promise suspends it
    // (unwinding and later rewinding the WebAssembly stack, which costs far more than the call).
    const maxReplyChars = copyInLimit(limits.memoryLimitMb);
    const callTool = newStringHostFunction(context, 'callTool', (name, json) => {
      const handlers = sandbox ? sandbox.#handlers : undefined;
      if (!handlers) return JSON.stringify({ ok: false, error: 'No action is running.' });
      const reply = handlers.callTool(name, json);
      return typeof reply === 'string' ? sizedToolReply(name, reply, maxReplyChars) : reply.then((settled) => sizedToolReply(name, settled, maxReplyChars));
    });
    const log = newStringHostFunction(context, 'log', (text) => {
      if (sandbox) sandbox.#handlers?.log(text);
      return undefined;
    });
    const host = context.newObject();
    context.setProp(host, 'callTool', callTool);
    context.setProp(host, 'log', log);
    context.setProp(global, HOST_BINDING, host);
    for (const handle of [callTool, log, host]) handle.dispose();
    context.unwrapResult(context.evalCode(SANDBOX_SIDE_SOURCES.polyfills, 'actkit-polyfills.js', { type: 'global' })).dispose();
    withNamingEval(context, () => context.unwrapResult(context.evalCode(SANDBOX_PRELUDE, 'actkit-prelude.js', { type: 'global' })).dispose());
    for (const module of modules) context.unwrapResult(context.evalCode(module.code, `module:${module.name}`, { type: 'global' })).dispose();
    // The entry point is the host's alone: off the global before any code of the model's runs.
    const runAction = context.getProp(global, RUN_ACTION);
    deleteGlobal(context, RUN_ACTION);
    sandbox = new QuickJSSandbox(context, runAction);
    runtime.setInterruptHandler(() => (sandbox ? (sandbox.#stop?.() ?? false) : false));
    return sandbox;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Runs one action request. Never rejects: a limit that was hit, an abort or a crash is an
   * outcome. After anything but `done` the sandbox is gone.
   */
  async run(requestJson: string, handlers: ActionHandlers, limits: { timeoutMs: number; signal?: StopSignal }): Promise<SandboxRunOutcome> {
    const outcome = await this.#runOnce(requestJson, handlers, limits);
    if (outcome.type !== 'timeout' || !limits.signal) return outcome;
    // Code computing on this thread holds the event loop: an abort requested meanwhile has not
    // been delivered yet. Let it in, so that an action aborted while it computed says so.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return limits.signal.aborted ? { type: 'aborted' } : outcome;
  }

  async #runOnce(requestJson: string, handlers: ActionHandlers, limits: { timeoutMs: number; signal?: StopSignal }): Promise<SandboxRunOutcome> {
    let stopped: 'timeout' | 'aborted' | undefined;
    let wake: () => void = () => {};
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const stop = (why: 'timeout' | 'aborted') => {
      stopped ??= why;
      wake();
    };
    // The timer fires when the code waits (a promise that never settles); while the code
    // computes, the interrupt handler asks the clock itself.
    const clock = new ActionClock(limits.timeoutMs, () => stop('timeout'));
    const onAbort = () => stop('aborted');
    if (limits.signal?.aborted) onAbort();
    limits.signal?.addEventListener('abort', onAbort, { once: true });
    this.#handlers = { ...handlers, callTool: (name, json) => whilePaused(clock, () => handlers.callTool(name, json)) };
    this.#stop = () => {
      if (!stopped && clock.expired) stopped = 'timeout';
      if (!stopped && limits.signal?.aborted) stopped = 'aborted';
      return stopped !== undefined;
    };
    const context = this.#context;
    try {
      const call = (async () => {
        const request = context.newString(requestJson);
        try {
          return await asyncCall(context, this.#runAction, request);
        } finally {
          request.dispose();
        }
      })();
      const first = await Promise.race([call, woken]);
      if (!first) return this.#abandon(stopped!);
      if ('error' in first) return this.#failure(first.error, stopped);
      const promise = first.value;
      try {
        for (;;) {
          const state = context.getPromiseState(promise);
          // Interrupted code after an `await` rejects its promise, and the prelude reports that as an error.
          if (stopped && state.type === 'fulfilled') state.value.dispose();
          if (stopped && state.type === 'rejected') state.error.dispose();
          if (stopped) return this.#abandon(stopped);
          if (state.type === 'fulfilled') {
            const json = state.value.consume((value) => context.getString(value));
            return this.#outcome(json);
          }
          if (state.type === 'rejected') return this.#failure(state.error, stopped);
          if (context.runtime.hasPendingJob()) {
            const ran = await Promise.race([runPendingJobs(context), woken]);
            if (!ran) return this.#abandon(stopped!);
            if ('error' in ran) return this.#failure(ran.error, stopped);
          } else {
            // Nothing left to run, and the action is not done: it waits for what never comes.
            await woken;
          }
        }
      } finally {
        if (!this.#disposed) promise.dispose();
      }
    } catch (error) {
      this.dispose();
      return { type: 'crash', message: (error as Error)?.message ?? String(error) };
    } finally {
      clock.stop();
      limits.signal?.removeEventListener('abort', onAbort);
      this.#handlers = undefined;
    }
  }

  /** The outcome JSON, unless the code ran out of memory and the prelude reported it as an error. */
  #outcome(json: string): SandboxRunOutcome {
    // Most outcomes are no error at all: parsed here only when one may be QuickJS's out-of-memory error.
    if (!json.includes('"InternalError"')) return { type: 'done', outcomeJson: json };
    const error = (JSON.parse(json) as { error?: { name?: string; message?: string } }).error;
    if (error?.name === 'InternalError' && OUT_OF_MEMORY.test(error.message ?? '')) {
      this.dispose();
      return { type: 'memory' };
    }
    return { type: 'done', outcomeJson: json };
  }

  /** The action threw past the prelude (the interrupt, memory, or a sandbox the code broke). */
  #failure(error: QuickJSHandle, stopped: 'timeout' | 'aborted' | undefined): SandboxRunOutcome {
    const message = stopped ? '' : describe(this.#context, error);
    this.dispose();
    if (stopped) return { type: stopped };
    // QuickJS throws `null` when it runs out of memory while throwing its out-of-memory error
    // (the code's own `throw null` is caught by the prelude, so it never gets here).
    if (OUT_OF_MEMORY.test(message) || message === 'null') return { type: 'memory' };
    return { type: 'crash', message };
  }

  /**
   * Stops waiting for an action that is suspended in a tool call or waits for nothing: the
   * instance is freed when its call returns (the interrupt handler ends it at once then).
   */
  #abandon(why: 'timeout' | 'aborted'): SandboxRunOutcome {
    this.dispose();
    return { type: why };
  }

  /**
   * Drops the sandbox. Its WebAssembly instance is its own, so nothing inside is freed one by
   * one: the instance and its memory go to the garbage collector whole, also when the code left
   * QuickJS inconsistent (interrupted mid-allocation) or a tool call still holds it suspended
   * (the interrupt handler then ends that code as soon as it resumes).
   */
  dispose(): void {
    this.#disposed = true;
    this.#stop = () => true;
  }
}

/** `work()` with the action's clock paused (time in host tools does not count), synchronous if the work is. */
function whilePaused<T>(clock: ActionClock, work: () => T | Promise<T>): T | Promise<T> {
  clock.pause();
  let result: T | Promise<T>;
  try {
    result = work();
  } catch (error) {
    clock.resume();
    throw error;
  }
  if (!(result instanceof Promise)) {
    clock.resume();
    return result;
  }
  // Not `finally`: it would take two more microtasks before the code is resumed.
  return result.then(
    (value) => {
      clock.resume();
      return value;
    },
    (error: unknown) => {
      clock.resume();
      throw error;
    },
  );
}

/** `delete globalThis[name]`, through the sandbox's own `Reflect.deleteProperty` (before any code of the model's ran). */
function deleteGlobal(context: QuickJSAsyncContext, name: string): void {
  const reflect = context.getProp(context.global, 'Reflect');
  const deleteProperty = context.getProp(reflect, 'deleteProperty');
  const key = context.newString(name);
  try {
    context.unwrapResult(context.callFunction(deleteProperty, reflect, context.global, key)).dispose();
  } finally {
    for (const handle of [key, deleteProperty, reflect]) handle.dispose();
  }
}

/**
 * QuickJS ignores `//# sourceURL=` in code given to `eval`, so the prelude's stack traces would
 * name `<input>` rather than the step's file. While the prelude is installed (it keeps the `eval`
 * it finds), `eval` is a host function that compiles with the file name the comment gives;
 * then the sandbox's own `eval` is put back for the code. The prelude only compiles with it.
 */
function withNamingEval(context: QuickJSAsyncContext, install: () => void): void {
  const global = context.global;
  const originalEval = context.getProp(global, 'eval');
  const namingEval = newEvalHostFunction(context, 'eval', (text) => /\n\/\/# sourceURL=([^\n]+)$/.exec(text)?.[1] ?? 'eval.js');
  try {
    context.setProp(global, 'eval', namingEval);
    install();
  } finally {
    context.setProp(global, 'eval', originalEval);
    namingEval.dispose();
    originalEval.dispose();
  }
}

function describe(context: QuickJSAsyncContext, error: QuickJSHandle): string {
  try {
    const dumped = context.dump(error) as unknown;
    if (typeof dumped === 'string') return dumped;
    if (dumped && typeof dumped === 'object' && 'message' in dumped) return String((dumped as { message: unknown }).message);
    return JSON.stringify(dumped) ?? String(dumped);
  } catch (failure) {
    return (failure as Error)?.message ?? 'an error that cannot be described';
  } finally {
    error.dispose();
  }
}
