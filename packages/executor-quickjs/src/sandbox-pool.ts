import { type ModuleScript, QuickJSSandbox, type SandboxLimits } from './quickjs-sandbox.js';
import type { QuickJSInstances } from './wasm-module.js';

/**
 * Ready sandboxes: a WebAssembly instance with QuickJS, the polyfills and the prelude installed
 * takes a few milliseconds to make, most of it compiling the prelude. One spare per set of
 * settings is kept: taking it starts the next one in the background (after the current task, so
 * the action that took it goes first), and an executor created a moment after another finds its
 * sandbox ready. Executors created back to back pay the full cost; `pnpm bench` shows both.
 */
export class SandboxPool {
  readonly #spares = new Map<string, Promise<QuickJSSandbox>>();

  constructor(private readonly instances: QuickJSInstances) {}

  async take(limits: SandboxLimits, modules: readonly ModuleScript[]): Promise<QuickJSSandbox> {
    const key = JSON.stringify([limits.memoryLimitMb, limits.stackLimitKb, modules.map((m) => [m.name, m.code.length])]);
    const spare = this.#spares.get(key);
    this.#spares.delete(key);
    const ready = spare ? await spare.catch(() => undefined) : undefined;
    const sandbox = ready && !ready.disposed ? ready : await this.#create(limits, modules);
    this.#prepare(key, limits, modules);
    return sandbox;
  }

  async #create(limits: SandboxLimits, modules: readonly ModuleScript[]): Promise<QuickJSSandbox> {
    return QuickJSSandbox.create(await this.instances.create(limits.memoryLimitMb), limits, modules);
  }

  #prepare(key: string, limits: SandboxLimits, modules: readonly ModuleScript[]): void {
    if (this.#spares.has(key)) return;
    const spare = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 0);
      (timer as { unref?: () => void }).unref?.();
    }).then(() => this.#create(limits, modules));
    spare.catch(() => {
      if (this.#spares.get(key) === spare) this.#spares.delete(key);
    });
    this.#spares.set(key, spare);
  }
}
