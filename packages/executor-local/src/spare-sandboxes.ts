import { IsolateSandbox, idleForMs } from './isolate-sandbox.js';
import type { Ivm } from './isolated-vm.js';
import type { ModuleBundle } from './modules.js';

/**
 * One sandbox made ahead of need for each kind in use (memory limit and modules), so that a new
 * executor — a new agent, or a sandbox replaced after a time limit — gets one that is ready
 * instead of paying for a new isolate, its context and the prelude (milliseconds) on its first
 * action. The spare is made while no action runs in this process, and has run one empty action,
 * so the prelude's functions are compiled: the first action on it costs what any other does.
 * "While idle" is after a pause of 10 ms with no action: an agent's model call is one.
 *
 * What it costs: one idle isolate (about a megabyte) per kind this process has used. It never
 * keeps the process alive (its timer is unref'd; an isolate holds no handle).
 */
const spares = new Map<string, IsolateSandbox>();
/** Kinds whose spare is to be made once idle. */
const scheduled = new Set<string>();
/** Kinds whose spare is made and running its warm-up action. */
const warming = new Map<string, Promise<void>>();

const bundleIds = new WeakMap<ModuleBundle, number>();
let nextBundleId = 0;

/** Bundles are cached per process and module list (modules.ts), so their identity names their code. */
function kindOf(memoryLimitMb: number, modules: readonly ModuleBundle[]): string {
  const ids = modules.map((bundle) => {
    let id = bundleIds.get(bundle);
    if (id === undefined) {
      id = ++nextBundleId;
      bundleIds.set(bundle, id);
    }
    return id;
  });
  return `${memoryLimitMb}:${ids.join(',')}`;
}

/**
 * A sandbox of this kind: the spare if one is ready or warming up (a child's first executor asks
 * while the spare made at start-up is still on its way), a new one otherwise; either way a spare
 * is made again when idle.
 */
export async function takeSandbox(ivm: Ivm, memoryLimitMb: number, modules: readonly ModuleBundle[] = []): Promise<IsolateSandbox> {
  const kind = kindOf(memoryLimitMb, modules);
  await warming.get(kind);
  const spare = spares.get(kind);
  spares.delete(kind);
  const sandbox = spare && !spare.disposed ? spare : IsolateSandbox.create(ivm, memoryLimitMb, modules);
  prepareSpare(ivm, memoryLimitMb, modules);
  return sandbox;
}

/** Makes a spare of this kind once this process is idle (nothing happens if one is ready or on its way). */
export function prepareSpare(ivm: Ivm, memoryLimitMb: number, modules: readonly ModuleBundle[] = []): void {
  const kind = kindOf(memoryLimitMb, modules);
  if (spares.has(kind) || scheduled.has(kind) || warming.has(kind)) return;
  scheduled.add(kind);
  const attempt = () => {
    // Only in a pause: making an isolate takes the thread for milliseconds, which must not land
    // between two actions run back to back (nor keep a script that is done from exiting).
    const idle = idleForMs();
    if (idle < PAUSE_MS) {
      setTimeout(attempt, PAUSE_MS - idle).unref();
      return;
    }
    scheduled.delete(kind);
    let sandbox: IsolateSandbox;
    try {
      sandbox = IsolateSandbox.create(ivm, memoryLimitMb, modules);
    } catch {
      return;
    }
    const warmUp = sandbox.run(WARM_UP, IDLE_HANDLERS, { timeoutMs: 10_000 }).then((outcome) => {
      warming.delete(kind);
      if (outcome.type === 'done' && !sandbox.disposed && !spares.has(kind)) spares.set(kind, sandbox);
      else sandbox.dispose();
    });
    warming.set(kind, warmUp);
  };
  setTimeout(attempt, PAUSE_MS).unref();
}

/** How long no action must have run before a spare is made. */
const PAUSE_MS = 10;

/** Disposes of the spares that are ready (for benches that time a sandbox made on the spot). */
export function discardSpares(): void {
  for (const spare of spares.values()) spare.dispose();
  spares.clear();
}

/** Whether a spare of this kind is ready (for tests). */
export function hasSpare(memoryLimitMb: number, modules: readonly ModuleBundle[] = []): boolean {
  return spares.has(kindOf(memoryLimitMb, modules));
}

/** An empty action: it compiles the prelude's per-action functions, and leaves nothing behind. */
const WARM_UP = JSON.stringify({ code: '', declaredNames: [], tools: [], maxLogChars: 1, filename: 'actkit-warm-up.js' });
const IDLE_HANDLERS = {
  callTool: async () => JSON.stringify({ ok: false, error: 'No action is running.' }),
  log: () => {},
};
