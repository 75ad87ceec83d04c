import { IsolateSandbox, type RunOutcome } from './isolate-sandbox.js';
import type { Ivm } from './isolated-vm.js';
import type { ModuleBundle } from './modules.js';
import { inAPause } from './pauses.js';

/**
 * One sandbox made ahead of need for each kind in use (memory limit and modules), so that a new
 * executor — a new agent, or a sandbox replaced after a time limit — gets one that is ready
 * instead of paying for a new isolate, its context and the prelude (milliseconds) on its first
 * action. The spare is made after a pause of 10 ms in which no action ran (an agent's model call
 * is one), then runs one action that declares nothing (`WARM_UP`), so that V8 has compiled the
 * prelude's per-action functions in it: a new isolate's first action costs about five times its
 * second, and without the warm-up that first one is the new executor's.
 *
 * Then, while it waits to be taken, it runs `TOOL_WARM_UP_ROUNDS` more actions, one per pause,
 * each calling a tool of its own a few hundred times on this thread: a new isolate runs the
 * prelude's call path (the arguments' serialiser, the tool wrapper) unoptimised for its first
 * few thousand calls, so a new executor's first tool-heavy action costs two to three times what
 * the same action costs a warm one. Each round takes the thread for a few milliseconds, only in
 * a pause; a spare taken before its rounds are done is handed over as it is.
 *
 * What it costs: one idle isolate (about a megabyte) per kind this process has used, and some
 * 20 ms of this thread's time, in pauses, for each spare made. It never keeps the process alive
 * (its timers are unref'd; an isolate holds no handle).
 */
const spares = new Map<string, IsolateSandbox>();
/** Kinds whose spare is to be made at the next pause. */
const scheduled = new Set<string>();
/** Kinds whose spare is made and runs a warm-up action (a taker waits for it: one action at a time). */
const warming = new Map<string, Promise<void>>();
/** Ready spares with tool warm-up rounds still to run, and how many. */
const roundsLeft = new Map<IsolateSandbox, number>();

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
  if (spare) roundsLeft.delete(spare);
  const sandbox = spare && !spare.disposed ? spare : IsolateSandbox.create(ivm, memoryLimitMb, modules);
  prepareSpare(ivm, memoryLimitMb, modules);
  return sandbox;
}

/** Makes a spare of this kind at the next pause (nothing happens if one is ready or on its way). */
export function prepareSpare(ivm: Ivm, memoryLimitMb: number, modules: readonly ModuleBundle[] = []): void {
  const kind = kindOf(memoryLimitMb, modules);
  if (spares.has(kind) || scheduled.has(kind) || warming.has(kind)) return;
  scheduled.add(kind);
  inAPause(() => {
    scheduled.delete(kind);
    makeSpare(kind, ivm, memoryLimitMb, modules);
  });
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
  // On this thread, as the tool rounds: the process may end at any moment (it is idle), and an
  // isolate's thread busy then would crash its exit (exit-during-action.ts).
  warmUp(kind, sandbox, sandbox.run(WARM_UP, NO_HANDLERS, { timeoutMs: WARM_UP_TIMEOUT_MS, onHostThread: true }), TOOL_WARM_UP_ROUNDS);
}

/** While `action` runs, the sandbox is warming; once it is done, the spare (if it is still sound and none replaced it), with `rounds` to go. */
function warmUp(kind: string, sandbox: IsolateSandbox, action: Promise<RunOutcome>, rounds: number): void {
  const warmedUp = action.then((outcome) => {
    warming.delete(kind);
    // A warm-up that threw (its error is in the outcome) may have left something behind.
    if (outcome.type !== 'done' || outcome.outcomeJson.includes('"error"') || sandbox.disposed || spares.has(kind)) {
      sandbox.dispose();
      return;
    }
    spares.set(kind, sandbox);
    if (rounds > 0) {
      roundsLeft.set(sandbox, rounds);
      inAPause(() => runToolWarmUpRound(kind, sandbox));
    }
  });
  warming.set(kind, warmedUp);
}

/** One round of tool calls in a spare that is still waiting to be taken (a taken one is left alone). */
function runToolWarmUpRound(kind: string, sandbox: IsolateSandbox): void {
  const rounds = roundsLeft.get(sandbox);
  roundsLeft.delete(sandbox);
  if (rounds === undefined || spares.get(kind) !== sandbox) return;
  spares.delete(kind);
  // On this thread, with a tool that answers at once: the round is over when `run` returns.
  warmUp(kind, sandbox, sandbox.run(TOOL_WARM_UP, toolWarmUpHandlers(kind), { timeoutMs: WARM_UP_TIMEOUT_MS, onHostThread: true }), rounds - 1);
}

/**
 * The warm-up: an action that declares, calls and logs nothing and leaves no global behind (the
 * spare must be as fresh as a new sandbox: spare-sandboxes.test.ts), but goes through the
 * prelude's per-action path — the code's function made and run, its value written out.
 */
const WARM_UP = JSON.stringify({ code: 'return (0)', declaredNames: [], tools: [], maxLogChars: 1, filename: 'actkit-warm-up.js' });
/**
 * A tool-calling round: arguments of a few kinds (the serialiser branches on them), a reply
 * parsed like any tool's, and the tool's global deleted at the end (the prelude installs a
 * request's tools as globals).
 */
const TOOL_WARM_UP_TOOL = '__actkit_warm_up';
const TOOL_WARM_UP = JSON.stringify({
  code: `try { for (let i = 0; i < 500; i++) ${TOOL_WARM_UP_TOOL}({ i, text: 'x', list: [i, true, null] }) } finally { delete globalThis.${TOOL_WARM_UP_TOOL} } return (0)`,
  declaredNames: [],
  tools: [TOOL_WARM_UP_TOOL],
  maxLogChars: 1,
  filename: 'actkit-warm-up.js',
});
/** The calls the tool warm-up rounds have made, per kind (for tests). */
const toolWarmUpCalls = new Map<string, number>();
const toolWarmUpHandlers = (kind: string) => ({
  callTool: () => {
    toolWarmUpCalls.set(kind, (toolWarmUpCalls.get(kind) ?? 0) + 1);
    return '{"ok":true,"value":{"i":0,"text":"x"}}';
  },
  log: () => {},
});
/**
 * Rounds of `TOOL_WARM_UP`, 2 000 calls. Measured as a new agent's first action after a model
 * call, 1 000 calls of a synchronous tool: about 9.5 ms without the rounds, 6 with 4 rounds, no
 * less with 8 (what is left is the action's own code, new to the isolate); of an async tool,
 * about 35 ms against 25.
 */
const TOOL_WARM_UP_ROUNDS = 4;
const NO_HANDLERS = {
  callTool: async () => JSON.stringify({ ok: false, error: 'No action is running.' }),
  log: () => {},
};
/** Generous: it runs in a pause, and a busy machine may take a while to get to it. */
const WARM_UP_TIMEOUT_MS = 10_000;

/** Disposes of the spares that are ready (for benches that time a sandbox made on the spot). */
export async function discardSpares(): Promise<void> {
  await Promise.all(warming.values());
  for (const spare of spares.values()) spare.dispose();
  spares.clear();
  roundsLeft.clear();
}

/** Whether a spare of this kind is ready (its warm-up rounds all run), warming up or neither (for tests). */
export function spareState(memoryLimitMb: number, modules: readonly ModuleBundle[] = []): 'ready' | 'warming' | 'none' {
  const kind = kindOf(memoryLimitMb, modules);
  const spare = spares.get(kind);
  if (spare) return roundsLeft.has(spare) ? 'warming' : 'ready';
  return warming.has(kind) ? 'warming' : 'none';
}

/** How many calls the tool warm-up rounds of this kind's spares have made (for tests). */
export const toolWarmUpCallsMade = (memoryLimitMb: number, modules: readonly ModuleBundle[] = []): number => toolWarmUpCalls.get(kindOf(memoryLimitMb, modules)) ?? 0;
