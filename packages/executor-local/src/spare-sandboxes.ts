import { IsolateSandbox, idleForMs } from './isolate-sandbox.js';
import type { Ivm } from './isolated-vm.js';
import type { ModuleBundle } from './modules.js';

/**
 * One sandbox made ahead of need for each kind in use (memory limit and modules), so that a new
 * executor — a new agent, or a sandbox replaced after a time limit — gets one that is ready
 * instead of paying for a new isolate, its context and the prelude (milliseconds) on its first
 * action. The spare is made after a pause of 10 ms in which no action ran (an agent's model call
 * is one), then runs one action that declares nothing (`WARM_UP`), so that V8 has compiled the
 * prelude's per-action functions in it: a new isolate's first action costs about five times its
 * second, and without the warm-up that first one is the new executor's.
 *
 * What it costs: one idle isolate (about a megabyte) per kind this process has used. It never
 * keeps the process alive (its timer is unref'd; an isolate holds no handle).
 */
const spares = new Map<string, IsolateSandbox>();
/** Kinds whose spare is to be made at the next pause. */
const scheduled = new Set<string>();
/** Kinds whose spare is made and runs its warm-up action. */
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
 * while the spare made at start-up may still run its warm-up), a new one otherwise; either way a
 * spare is made again at the next pause.
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

/** Makes a spare of this kind at the next pause (nothing happens if one is ready or on its way). */
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
    makeSpare(kind, ivm, memoryLimitMb, modules);
  };
  setTimeout(attempt, PAUSE_MS).unref();
}

/**
 * Makes the spare of this kind now, on this thread (milliseconds: most of it V8's new isolate).
 * For a process that has nothing else to do yet: the child process, right after it said it is
 * ready, makes the sandbox its first action will take while the parent's `open` and `run` are
 * on their way.
 */
export function makeSpareNow(ivm: Ivm, memoryLimitMb: number): void {
  const kind = kindOf(memoryLimitMb, []);
  if (!spares.has(kind) && !warming.has(kind)) makeSpare(kind, ivm, memoryLimitMb, []);
}

/** Makes a sandbox of this kind and runs the warm-up in it; it becomes the spare once that is done. */
function makeSpare(kind: string, ivm: Ivm, memoryLimitMb: number, modules: readonly ModuleBundle[]): void {
  let sandbox: IsolateSandbox;
  try {
    sandbox = IsolateSandbox.create(ivm, memoryLimitMb, modules);
  } catch {
    return; // No spare (the next executor makes its sandbox on the spot, and says why if it cannot).
  }
  const warmedUp = sandbox.run(WARM_UP, NO_HANDLERS, { timeoutMs: WARM_UP_TIMEOUT_MS }).then((outcome) => {
    warming.delete(kind);
    if (outcome.type === 'done' && !sandbox.disposed && !spares.has(kind)) spares.set(kind, sandbox);
    else sandbox.dispose();
  });
  warming.set(kind, warmedUp);
}

/**
 * The warm-up: an action that declares, calls and logs nothing and leaves no global behind (the
 * spare must be as fresh as a new sandbox: spare-sandboxes.test.ts), but goes through the
 * prelude's per-action path — the code's function made and run, its value written out.
 */
const WARM_UP = JSON.stringify({ code: 'return (0)', declaredNames: [], tools: [], maxLogChars: 1, filename: 'actkit-warm-up.js' });
const NO_HANDLERS = {
  callTool: async () => JSON.stringify({ ok: false, error: 'No action is running.' }),
  log: () => {},
};
/** Generous: it runs in a pause, and a busy machine may take a while to get to it. */
const WARM_UP_TIMEOUT_MS = 10_000;

/** How long no action must have run before a spare is made. */
const PAUSE_MS = 10;

/** Disposes of the spares that are ready (for benches that time a sandbox made on the spot). */
export async function discardSpares(): Promise<void> {
  await Promise.all(warming.values());
  for (const spare of spares.values()) spare.dispose();
  spares.clear();
}

/** Whether a spare of this kind is ready, warming up or neither (for tests). */
export function spareState(memoryLimitMb: number, modules: readonly ModuleBundle[] = []): 'ready' | 'warming' | 'none' {
  const kind = kindOf(memoryLimitMb, modules);
  return spares.has(kind) ? 'ready' : warming.has(kind) ? 'warming' : 'none';
}
