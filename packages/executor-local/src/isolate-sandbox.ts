import type { SandboxRunOutcome as RunOutcome } from '@actkit/code-actions';
// The lean entry: the child process loads this file, and must not load the agent and compiler.
import {
  ActionClock,
  copyInLimit,
  HOST_BINDING,
  mb,
  RUN_ACTION,
  SANDBOX_PRELUDE,
  SANDBOX_UNUSABLE,
  type StopSignal,
  sizedToolReply,
  tripMs,
} from '@actkit/code-actions/sandbox';
import type ivmModule from 'isolated-vm';
import type { Ivm } from './isolated-vm.js';
import type { ModuleBundle } from './modules.js';
import { actionOnIsolateThread, isolateDisposedMidAction } from './exit-during-action.js';
import { ReplyBox } from './reply-box.js';
import { SANDBOX_SIDE_SOURCES } from './sandbox-side/sources.js';

/** What a running action asks of the host: tool calls (answered at once, or later) and streamed console output. */
export interface ActionHandlers {
  callTool(name: string, inputJson: string): string | Promise<string | RemoteToolAnswer>;
  log(text: string): void;
}

/**
 * A tool's answer that came from another process (the child process's parent), with the time
 * the tool itself took there. The rest of the wait, the call's way there and back, counts as the
 * code's time, as the runner protocol has it: the parent's fallback deadline counts it too, and
 * in-process the thread hop counts as well.
 */
export interface RemoteToolAnswer {
  reply: string;
  toolMs: number;
}

/** The handlers as the isolate's host calls see them: a tool's reply is JSON text. */
interface SandboxHandlers {
  callTool(name: string, inputJson: string): string | Promise<string>;
  log(text: string): void;
}

export type { SandboxRunOutcome as RunOutcome } from '@actkit/code-actions';

export interface RunLimits {
  timeoutMs: number;
  signal?: StopSignal;
  /**
   * Run the action on the host's thread: each tool call is then a plain call (about a
   * microsecond), not a hop between threads each way (tens of microseconds), but the host's event
   * loop waits until the action ends — so every tool must answer at once (a promise becomes the
   * tool's error), and an abort from a timer is seen only once the action has ended. An abort a
   * tool makes disposes of the isolate there: the code ends at that tool's return. For actions
   * whose tools all say `synchronous: true` (see `HostThreadActions`).
   */
  onHostThread?: boolean;
}

/**
 * Scripts compiled once per process: V8's code cache for them makes each fresh isolate compile
 * the prelude (and the allowed modules) from cached data rather than from source.
 */
const codeCache = new Map<string, ivmModule.ExternalCopy<ArrayBuffer>>();

// isolated-vm sets these on the script at run time; its typings leave them out.
type CachedScript = ivmModule.Script & { cachedData?: ivmModule.ExternalCopy<ArrayBuffer>; cachedDataRejected?: boolean };

function compile(isolate: ivmModule.Isolate, code: string, filename: string): ivmModule.Script {
  const cached = codeCache.get(code);
  if (cached) {
    const script: CachedScript = isolate.compileScriptSync(code, { filename, cachedData: cached });
    if (!script.cachedDataRejected) return script;
  }
  const script: CachedScript = isolate.compileScriptSync(code, { filename, produceCachedData: true });
  if (script.cachedData) codeCache.set(code, script.cachedData);
  return script;
}

/** The isolate's heap limit when the caller sets none. */
export const DEFAULT_MEMORY_LIMIT_MB = 128;

/** What the isolate's host calls reach (the running action's handlers), and the thread the binding was last set for. */
interface CurrentAction {
  handlers: SandboxHandlers | undefined;
  onHostThread: boolean;
  /** The host is in a synchronous call into the isolate: code running now runs on the host's thread. */
  hostCallsIn: number;
}

/** Actions running in this process's isolates, and when the last one ended (spare-sandboxes.ts waits for a pause). */
let running = 0;
let lastActionEnded = 0;
/** The clocks of the actions running in this process's isolates (an action on the host's thread stops the others'). */
const runningClocks = new Set<ActionClock>();
/** How long no action has run in this process's isolates (0 while one runs). */
export const idleForMs = (): number => (running > 0 ? 0 : performance.now() - lastActionEnded);

/** How isolated-vm's own `timeout` (an action on the host's thread) fails the call. */
const ISOLATED_VM_TIMEOUT = 'Script execution timed out';

/** What the binding script (sandbox-side/isolate-binding.ts) hands the host. */
interface IsolateBinding {
  binding: object;
  setOnHostThread: (on: boolean) => void;
  keepOutcomes: (run: unknown) => KeptOutcomes;
}
interface KeptOutcomes {
  run: (json: string) => Promise<string>;
  take: () => string | undefined;
}

/**
 * One V8 isolate with the prelude installed: the unit of state of the local executor. Code runs
 * on isolated-vm's own thread, so the host's event loop keeps turning while it runs — which is
 * what lets the watchdog dispose of an isolate stuck in a loop (even after an `await`, where
 * isolated-vm's own `timeout` no longer applies). An action whose tools all answer at once may
 * run on the host's thread instead (`RunLimits.onHostThread`).
 */
export class IsolateSandbox {
  readonly #isolate: ivmModule.Isolate;
  readonly #runAction: ivmModule.Reference<(json: string) => Promise<string>>;
  /** The outcome the last action returned, when isolated-vm failed its call for an unhandled rejection (isolate-binding.ts). */
  readonly #takeOutcome: ivmModule.Reference<() => string | undefined>;
  readonly #setOnHostThread: ivmModule.Reference<(on: boolean) => void>;
  /** Where the isolate's host calls go during the current action. */
  readonly #current: CurrentAction;

  readonly #maxCopyIn: number;

  private constructor(
    isolate: ivmModule.Isolate,
    runAction: ivmModule.Reference<(json: string) => Promise<string>>,
    takeOutcome: ivmModule.Reference<() => string | undefined>,
    setOnHostThread: ivmModule.Reference<(on: boolean) => void>,
    current: CurrentAction,
    maxCopyIn: number,
  ) {
    this.#isolate = isolate;
    this.#runAction = runAction;
    this.#takeOutcome = takeOutcome;
    this.#setOnHostThread = setOnHostThread;
    this.#current = current;
    this.#maxCopyIn = maxCopyIn;
  }

  static create(ivm: Ivm, memoryLimitMb: number, modules: readonly ModuleBundle[] = []): IsolateSandbox {
    const isolate = new ivm.Isolate({ memoryLimit: memoryLimitMb });
    try {
      const context = isolate.createContextSync();
      const current: CurrentAction = { handlers: undefined, onHostThread: false, hostCallsIn: 0 };
      const maxCopyIn = copyInLimit(memoryLimitMb);
      const sizedReply = (name: string, reply: string) => sizedToolReply(name, reply, maxCopyIn);
      // What the host throws never reaches the code: isolated-vm would hand it the host's stack.
      const hostFailed = (name: string) => JSON.stringify({ ok: false, error: `${name}: the host could not answer the call.` });
      // The reply at once when the tool answered at once (on the host's thread it always does);
      // a later one goes through the reply box, on which the isolate's thread waits.
      const replyBox = new ReplyBox();
      const callTool = new ivm.Reference((rawName: string, json: string): string | undefined => {
        if (!current.handlers) return JSON.stringify({ ok: false, error: 'No action is running.' });
        const name = String(rawName);
        try {
          const reply = current.handlers.callTool(name, String(json));
          if (typeof reply === 'string') return sizedReply(name, reply);
          // Code on the host's thread cannot wait for the box: it would block the thread that fills it.
          if (current.hostCallsIn > 0) {
            reply.then(undefined, () => {});
            return JSON.stringify({ ok: false, error: `${name}: its answer cannot be awaited on the host's thread.` });
          }
          // Always a reply in the box, also when the tool or the sizing fails: the isolate's thread waits for one.
          reply
            .then((settled) => sizedReply(name, settled))
            .then(undefined, () => hostFailed(name))
            .then((settled) => replyBox.put(settled));
          return undefined;
        } catch {
          return hostFailed(name);
        }
      });
      const takeTooLong = new ivm.Reference(() => replyBox.takeTooLong());
      const log = new ivm.Reference((text: string) => {
        try {
          current.handlers?.log(String(text));
        } catch {
          // The handler failed (executeAction already guards a caller's onLog): its problem, not
          // the code's, and what the host throws must not reach the code.
        }
      });
      // The binding (sandbox-side/isolate-binding.ts) is a function: the references and the limit
      // reach it as arguments, never through the global the code shares.
      // Its value: the binding for the prelude, and the host's switch between threads.
      const makeBinding: ivmModule.Reference<(...args: unknown[]) => IsolateBinding> = compile(isolate, SANDBOX_SIDE_SOURCES.isolateBinding, 'actkit-binding.js').runSync(context, {
        release: true,
        reference: true,
      });
      const made = makeBinding.applySync(undefined, [callTool, takeTooLong, new ivm.ExternalCopy(replyBox.memory).copyInto({ release: true }), log, maxCopyIn], {
        result: { reference: true },
      });
      const binding = made.getSync('binding', { reference: true });
      const setOnHostThread: ivmModule.Reference<(on: boolean) => void> = made.getSync('setOnHostThread', { reference: true });
      const keepOutcomes = made.getSync('keepOutcomes', { reference: true });
      context.global.setSync(HOST_BINDING, binding.derefInto());
      for (const reference of [makeBinding, made, binding]) reference.release();
      compile(isolate, SANDBOX_PRELUDE, 'actkit-prelude.js').runSync(context, { release: true });
      for (const module of modules) compile(isolate, module.code, `module:${module.name}`).runSync(context, { release: true });
      const entryPoint = context.global.getSync(RUN_ACTION, { reference: true });
      // The entry point is the host's alone: the code must not call it (to reset the log cap, say).
      context.global.deleteSync(RUN_ACTION);
      const kept: ivmModule.Reference<KeptOutcomes> = keepOutcomes.applySync(undefined, [entryPoint.derefInto()], { result: { reference: true } });
      const runAction = kept.getSync('run', { reference: true });
      const takeOutcome = kept.getSync('take', { reference: true });
      for (const reference of [keepOutcomes, entryPoint, kept]) reference.release();
      return new IsolateSandbox(isolate, runAction, takeOutcome, setOnHostThread, current, maxCopyIn);
    } catch (error) {
      if (!isolate.isDisposed) isolate.dispose();
      throw error;
    }
  }

  get disposed(): boolean {
    return this.#isolate.isDisposed;
  }

  /**
   * Runs one action request. Never rejects: a limit that was hit, an abort or a crash is an
   * outcome. After anything but `done` the isolate is gone.
   *
   * On the host's thread (`limits.onHostThread`) the limits hold as on the isolate's: isolated-vm's
   * own `timeout` stops the code (its microtasks included; time in tools not counted), and code
   * still waiting when the call returns (on a promise nothing will settle) is left to the watchdog.
   */
  async run(requestJson: string, handlers: ActionHandlers, limits: RunLimits): Promise<RunOutcome> {
    if (requestJson.length > this.#maxCopyIn) {
      const error = { kind: 'runtime', name: 'CodeTooLarge', message: `The action (its code, and the run's variables on their first step) is too large for the sandbox (${mb(requestJson.length)}; the limit is ${mb(this.#maxCopyIn)}, an eighth of its memory: raise the executor's memoryLimitMb to pass more).` };
      return { type: 'done', outcomeJson: JSON.stringify({ logs: '', logsTruncated: false, error }) };
    }
    let stopped: 'timeout' | 'aborted' | undefined;
    const stop = (why: 'timeout' | 'aborted') => {
      stopped ??= why;
      this.dispose();
    };
    // The watchdog disposes of the isolate, which stops code even after an `await`; it does not
    // count the time the host spends in tools.
    const clock = new ActionClock(limits.timeoutMs, () => stop('timeout'));
    const onHostThread = limits.onHostThread === true;
    const answer = (name: string, json: string): string | Promise<string | RemoteToolAnswer> => {
      const reply = handlers.callTool(name, json);
      if (typeof reply === 'string' || !onHostThread) return reply;
      // Nothing can wait for it: this thread is the one running the code. Answered at once, so
      // that the clock runs again at once.
      reply.then(undefined, () => {});
      return JSON.stringify({
        ok: false,
        error: `${name}: the tool says it is synchronous, but it returned a promise (its answer cannot be awaited while the action runs on the host's thread).`,
      });
    };
    const callTool = (name: string, json: string): string | Promise<string> =>
      clock.paused(() => {
        const reply = answer(name, json);
        if (typeof reply === 'string') return reply;
        const asked = performance.now();
        return reply.then((answered) => {
          if (typeof answered === 'string') return answered;
          // From the parent process: only its tool's own time is left out of the code's, charged
          // while the clock is still paused (so that no stretch is counted twice).
          clock.charge(tripMs(performance.now() - asked, answered.toolMs));
          return answered.reply;
        });
      });
    this.#current.handlers = { ...handlers, callTool };
    running++;
    runningClocks.add(clock);
    const onAbort = () => stop('aborted');
    if (limits.signal?.aborted) onAbort();
    limits.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (onHostThread !== this.#current.onHostThread) {
        this.#hostCallIn(() => this.#setOnHostThread.applySync(undefined, [onHostThread]));
        this.#current.onHostThread = onHostThread;
      }
      if (onHostThread) {
        // Returns once the code has run, its microtasks with it: a settled promise (or, if the
        // code waits on something nothing will settle, a pending one, for the watchdog).
        // Meanwhile no other action's tool call can be answered, nor its watchdog turn: their
        // clocks stop for that time, which is this action's, not theirs.
        const others = [...runningClocks].filter((other) => other !== clock);
        for (const other of others) other.pause();
        let settled: Promise<string>;
        try {
          settled = this.#hostCallIn(() => this.#runAction.applySync(undefined, [requestJson], {
            arguments: { copy: true },
            result: { promise: true, copy: true },
            // isolated-vm takes a 32-bit whole number of milliseconds.
            timeout: Math.min(0x7fffffff, Math.max(1, Math.ceil(limits.timeoutMs))),
          })) as unknown as Promise<string>;
        } finally {
          for (const other of others) other.resume();
        }
        const outcomeJson = await settled;
        if (stopped) return { type: stopped };
        return { type: 'done', outcomeJson: String(outcomeJson) };
      }
      // isolated-vm hands over the outcome only once the task that produced it has ended, its
      // microtask checkpoint included: microtasks the code queued behind the outcome (after
      // final_answer, say) have run by then, under this action's clock — the security corpus's
      // "microtask loop queued before final_answer" cases hold it to that. No second call into
      // the isolate is needed to wait for them (each costs a thread hop each way).
      // Counted while it runs there: a process that ends meanwhile must not wait for that thread (exit-during-action.ts).
      const ended = actionOnIsolateThread();
      let outcomeJson: string;
      try {
        outcomeJson = await this.#runAction.apply(undefined, [requestJson], {
          arguments: { copy: true },
          result: { promise: true, copy: true },
        });
      } finally {
        ended();
        // Stopped or out of memory: the isolate's thread tears it down once it has let go of it.
        if (this.#isolate.isDisposed) isolateDisposedMidAction();
      }
      // The watchdog or an abort got there first and disposed of the isolate: code stopped inside
      // a tool call may still have handed back an outcome (the stop surfaced as the tool's error),
      // but the action is the limit's, and its state is gone.
      if (stopped) return { type: stopped };
      return { type: 'done', outcomeJson: String(outcomeJson) };
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      // Not a limit — the watchdog or an abort (`stopped`), the memory limit (which disposes of the
      // isolate) or isolated-vm's own timeout on the host's thread — but a promise the action
      // rejected and never handled: its outcome, as every executor gives it. (The rejection's
      // message is the code's, and may well say "timed out": only isolated-vm's own words count.)
      const kept = stopped || message.startsWith(ISOLATED_VM_TIMEOUT) ? undefined : this.#keptOutcome();
      if (kept !== undefined) return { type: 'done', outcomeJson: kept };
      const memory = /memory limit/i.test(message);
      const timedOut = /timed out/i.test(message);
      // A stopped or crashed isolate may hold half-run code: it is never reused. (One that ran on
      // its thread may be torn down there still, as after running out of memory.)
      if (!onHostThread) isolateDisposedMidAction();
      this.dispose();
      if (stopped) return { type: stopped };
      if (memory) return { type: 'memory' };
      if (timedOut) return { type: 'timeout' };
      return { type: 'crash', message };
    } finally {
      running--;
      runningClocks.delete(clock);
      lastActionEnded = performance.now();
      clock.stop();
      limits.signal?.removeEventListener('abort', onAbort);
      this.#current.handlers = undefined;
    }
  }

  /** The outcome the last action returned, if it returned one and the isolate is sound. */
  #keptOutcome(): string | undefined {
    if (this.#isolate.isDisposed) return undefined;
    try {
      const outcome = this.#hostCallIn(() => this.#takeOutcome.applySync(undefined, [], { result: { copy: true } }));
      return typeof outcome === 'string' ? outcome : undefined;
    } catch {
      return undefined;
    }
  }

  /** A synchronous call into the isolate: whatever code of it runs meanwhile (microtasks too) runs on this thread. */
  #hostCallIn<T>(call: () => T): T {
    this.#current.hostCallsIn++;
    try {
      return call();
    } finally {
      this.#current.hostCallsIn--;
    }
  }

  dispose(): void {
    if (!this.#isolate.isDisposed) this.#isolate.dispose();
  }
}

/**
 * The current sandbox of one executor, replaced when it is gone. When an earlier action made the
 * sandbox unusable before this one's code ran (say, a tool's name made non-configurable), the
 * action runs again in a fresh sandbox — nothing of it had run yet — and says the state was lost.
 */
export class IsolateHost {
  #sandbox: IsolateSandbox | undefined;

  constructor(private readonly create: () => IsolateSandbox | Promise<IsolateSandbox>) {}

  async sandbox(): Promise<IsolateSandbox> {
    if (!this.#sandbox || this.#sandbox.disposed) this.#sandbox = await this.create();
    return this.#sandbox;
  }

  async run(requestJson: string, handlers: ActionHandlers, limits: RunLimits): Promise<RunOutcome> {
    // The usual case, a live sandbox, without awaiting it.
    const current = this.#sandbox && !this.#sandbox.disposed ? this.#sandbox : await this.sandbox();
    const outcome = await current.run(requestJson, handlers, limits);
    if (outcome.type !== 'crash' || !outcome.message.includes(SANDBOX_UNUSABLE) || limits.signal?.aborted) return outcome;
    const retried = await (await this.sandbox()).run(requestJson, handlers, limits);
    if (retried.type !== 'done') return retried;
    return { ...retried, stateLost: true };
  }

  dispose(): void {
    this.#sandbox?.dispose();
    this.#sandbox = undefined;
  }
}
