import { type ModuleScript, QuickJSSandbox, type SandboxLimits } from './quickjs-sandbox.js';
import type { QuickJSInstances } from './wasm-module.js';

/** A sandbox being made ahead of need: started after the current task, or at once when taken first. */
interface Spare {
  sandbox: Promise<QuickJSSandbox>;
  /** Starts it now if its turn has not come yet. */
  startNow(): void;
}

/**
 * Ready sandboxes: a WebAssembly instance with QuickJS, the polyfills and the prelude installed
 * takes several milliseconds to make, most of it compiling the prelude. One spare per set of
 * settings is kept: taking it starts the next one in the background (after the current task, so
 * the action that took it goes first), and an executor created a moment after another finds its
 * sandbox ready. An executor that comes before its spare is ready waits for it (made back to back,
 * executors pay about the full cost; `pnpm bench` shows both).
 */
export class SandboxPool {
  readonly #spares = new Map<string, Spare>();

  constructor(private readonly instances: QuickJSInstances) {}

  async take(limits: SandboxLimits, modules: readonly ModuleScript[]): Promise<QuickJSSandbox> {
    const key = JSON.stringify([limits.memoryLimitMb, limits.stackLimitKb, modules.map((m) => [m.name, m.code.length])]);
    const spare = this.#spares.get(key);
    this.#spares.delete(key);
    // Its timer does not keep the process alive: someone waiting for it now must not wait on the timer.
    spare?.startNow();
    const ready = spare ? await spare.sandbox.catch(() => undefined) : undefined;
    const sandbox = ready && !ready.disposed ? ready : await this.#create(limits, modules);
    this.#prepare(key, limits, modules);
    return sandbox;
  }

  async #create(limits: SandboxLimits, modules: readonly ModuleScript[]): Promise<QuickJSSandbox> {
    return QuickJSSandbox.create(await this.instances.create(limits.memoryLimitMb), limits, modules);
  }

  #prepare(key: string, limits: SandboxLimits, modules: readonly ModuleScript[]): void {
    if (this.#spares.has(key)) return;
    let start: () => void = () => {};
    const turn = new Promise<void>((resolve) => {
      start = resolve;
    });
    // After the current task; unref'd, so a spare nobody asked for never holds the process open.
    const timer = setTimeout(start, 0);
    (timer as { unref?: () => void }).unref?.();
    const sandbox = turn.then(() => this.#create(limits, modules));
    const spare: Spare = {
      sandbox,
      startNow: () => {
        clearTimeout(timer);
        start();
      },
    };
    sandbox.catch(() => {
      if (this.#spares.get(key) === spare) this.#spares.delete(key);
    });
    this.#spares.set(key, spare);
  }
}
