/**
 * Which run the code now executing belongs to. Several runs of one agent may be in progress at
 * once, and what wraps the agent's model, tools or executor (tracing, say) must tell their calls
 * apart: a run executes its steps, model calls and tool calls inside its scope.
 */
export interface RunScope {
  readonly runId: string;
  readonly agentName: string;
}

interface ScopeStorage {
  getStore(): RunScope | undefined;
  run<T>(scope: RunScope, fn: () => T): T;
}

/**
 * Node's AsyncLocalStorage where there is one (Node, Bun, Deno), found at run time rather than
 * imported: the core also runs in a browser page (the QuickJS executor), which has no
 * `node:async_hooks`. There, a scope holds for the synchronous part of `fn` only.
 */
function createStorage(): ScopeStorage {
  type Builtins = { getBuiltinModule?: (id: string) => { AsyncLocalStorage?: new () => ScopeStorage } | undefined };
  const AsyncLocalStorage = (globalThis as { process?: Builtins }).process?.getBuiltinModule?.('node:async_hooks')?.AsyncLocalStorage;
  if (AsyncLocalStorage) return new AsyncLocalStorage();
  let current: RunScope | undefined;
  return {
    getStore: () => current,
    run(scope, fn) {
      const outer = current;
      current = scope;
      try {
        return fn();
      } finally {
        current = outer;
      }
    },
  };
}

const storage = createStorage();

/** The run whose work is executing now (the innermost, for a managed agent's run), if any. */
export function currentRun(): RunScope | undefined {
  return storage.getStore();
}

/** Runs `fn` inside a run's scope. */
export function inRunScope<T>(scope: RunScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** Ids of the runs in progress, in this process. */
const inProgress = new Set<string>();

/** Whether the run with this id is still going on (false once it has ended, however it ended). */
export function isRunInProgress(runId: string): boolean {
  return inProgress.has(runId);
}

/** Marks a run as going on until `end` is called. */
export function markRunInProgress(runId: string): () => void {
  inProgress.add(runId);
  return () => inProgress.delete(runId);
}
