import type ivmModule from 'isolated-vm';
import type { ModuleBundle } from './modules.js';
import { ActionClock, SANDBOX_PRELUDE, type SandboxRunOutcome as RunOutcome } from '@actkit/code-actions';

type Ivm = typeof ivmModule;

/** What a running action asks of the host: tool calls and streamed console output. */
export interface ActionHandlers {
  callTool(name: string, inputJson: string): Promise<string>;
  log(text: string): void;
}

export type { SandboxRunOutcome as RunOutcome } from '@actkit/code-actions';

/**
 * One V8 isolate with the prelude installed: the unit of state of the local executor. Code runs
 * on isolated-vm's own thread, so the host's event loop keeps turning while it runs — which is
 * what lets the watchdog dispose of an isolate stuck in a loop (even after an `await`, where
 * isolated-vm's own `timeout` no longer applies).
 */
export class IsolateSandbox {
  readonly #isolate: ivmModule.Isolate;
  readonly #runAction: ivmModule.Reference<(json: string) => Promise<string>>;
  /** Where the isolate's host calls go during the current action. */
  #handlers: ActionHandlers | undefined;

  private constructor(
    isolate: ivmModule.Isolate,
    _context: ivmModule.Context,
    runAction: ivmModule.Reference<(json: string) => Promise<string>>,
  ) {
    this.#isolate = isolate;
    this.#runAction = runAction;
  }

  static create(ivm: Ivm, memoryLimitMb: number, modules: readonly ModuleBundle[] = []): IsolateSandbox {
    const isolate = new ivm.Isolate({ memoryLimit: memoryLimitMb });
    try {
      const context = isolate.createContextSync();
      let sandbox: IsolateSandbox | undefined;
      const handlers = () => (sandbox ? sandbox.#handlers : undefined);
      const callTool = new ivm.Reference((name: string, json: string) => {
        const current = handlers();
        if (!current) return Promise.resolve(JSON.stringify({ ok: false, error: 'No action is running.' }));
        return current.callTool(String(name), String(json));
      });
      const log = new ivm.Reference((text: string) => handlers()?.log(String(text)));
      context.global.setSync('__actkit_callTool', callTool);
      context.global.setSync('__actkit_log', log);
      // The references are captured by closures and removed from the global: the code sees plain functions.
      context.evalSync(`{
        const callTool = globalThis.__actkit_callTool, log = globalThis.__actkit_log;
        delete globalThis.__actkit_callTool; delete globalThis.__actkit_log;
        globalThis.__actkit_host = {
          callTool: (name, json) => callTool.applySyncPromise(undefined, [name, json]),
          log: (text) => log.applyIgnored(undefined, [text]),
        };
      }`);
      context.evalSync(SANDBOX_PRELUDE, { filename: 'actkit-prelude.js' });
      for (const module of modules) context.evalSync(module.code, { filename: `module:${module.name}` });
      const runAction = context.global.getSync('__actkit_runAction', { reference: true });
      sandbox = new IsolateSandbox(isolate, context, runAction);
      return sandbox;
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
   */
  async run(requestJson: string, handlers: ActionHandlers, limits: { timeoutMs: number; signal?: AbortSignal }): Promise<RunOutcome> {
    let stopped: 'timeout' | 'aborted' | undefined;
    const stop = (why: 'timeout' | 'aborted') => {
      stopped ??= why;
      this.dispose();
    };
    // The watchdog disposes of the isolate, which stops code even after an `await`; it does not
    // count the time the host spends in tools.
    const clock = new ActionClock(limits.timeoutMs, () => stop('timeout'));
    this.#handlers = { ...handlers, callTool: (name, json) => clock.paused(() => handlers.callTool(name, json)) };
    const onAbort = () => stop('aborted');
    if (limits.signal?.aborted) onAbort();
    limits.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const outcomeJson = await this.#runAction.apply(undefined, [requestJson], {
        arguments: { copy: true },
        result: { promise: true, copy: true },
      });
      return { type: 'done', outcomeJson: String(outcomeJson) };
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      // A stopped or crashed isolate may hold half-run code: it is never reused.
      const memory = /memory limit/i.test(message);
      this.dispose();
      if (stopped) return { type: stopped };
      if (memory) return { type: 'memory' };
      if (/timed out/i.test(message)) return { type: 'timeout' };
      return { type: 'crash', message };
    } finally {
      clock.stop();
      limits.signal?.removeEventListener('abort', onAbort);
      this.#handlers = undefined;
    }
  }

  dispose(): void {
    if (!this.#isolate.isDisposed) this.#isolate.dispose();
  }
}
