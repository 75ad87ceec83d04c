import { IsolateSandbox, idleForMs } from './isolate-sandbox.js';
import type { Ivm } from './isolated-vm.js';
import type { ModuleBundle } from './modules.js';

/**
 * One sandbox made ahead of need for each kind in use (memory limit and modules), so that a new
 * executor — a new agent, or a sandbox replaced after a time limit — gets one that is ready
 * instead of paying for a new isolate, its context and the prelude (milliseconds) on its first
 * action. The spare is made after a pause of 10 ms in which no action ran (an agent's model call
 * is one). It runs nothing before it is taken: an isolate that has run code carries more in its
 * heap, which made a 30 MB copy out of a nearly full 64 MB isolate measurably slower.
 *
 * What it costs: one idle isolate (about a megabyte) per kind this process has used. It never
 * keeps the process alive (its timer is unref'd; an isolate holds no handle).
 */
const spares = new Map<string, IsolateSandbox>();
/** Kinds whose spare is to be made at the next pause. */
const scheduled = new Set<string>();

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

/** A sandbox of this kind: the spare if one is ready, a new one otherwise; either way a spare is made again at the next pause. */
export function takeSandbox(ivm: Ivm, memoryLimitMb: number, modules: readonly ModuleBundle[] = []): IsolateSandbox {
  const kind = kindOf(memoryLimitMb, modules);
  const spare = spares.get(kind);
  spares.delete(kind);
  const sandbox = spare && !spare.disposed ? spare : IsolateSandbox.create(ivm, memoryLimitMb, modules);
  prepareSpare(ivm, memoryLimitMb, modules);
  return sandbox;
}

/** Makes a spare of this kind at the next pause (nothing happens if one is ready or on its way). */
export function prepareSpare(ivm: Ivm, memoryLimitMb: number, modules: readonly ModuleBundle[] = []): void {
  const kind = kindOf(memoryLimitMb, modules);
  if (spares.has(kind) || scheduled.has(kind)) return;
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
    try {
      spares.set(kind, IsolateSandbox.create(ivm, memoryLimitMb, modules));
    } catch {
      // No spare (the next executor makes its sandbox on the spot, and says why if it cannot).
    }
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
  if (spares.has(kind)) return;
  try {
    spares.set(kind, IsolateSandbox.create(ivm, memoryLimitMb));
  } catch {
    // No spare (the first executor makes its sandbox on the spot, and says why if it cannot).
  }
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
