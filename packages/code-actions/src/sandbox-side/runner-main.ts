/**
 * The runner that executes code actions inside a remote sandbox (a container, an E2B or Blaxel
 * sandbox). It needs nothing but `node` (18+): bundled into one CommonJS script (`RUNNER_SOURCE`,
 * see src/build/sandbox-side.ts), started as `node -e` or from a file.
 *
 * This main thread speaks the protocol (remote/protocol.ts) on stdin/stdout. Code runs in a
 * worker thread (runner-worker.ts), in a `node:vm` context holding the bridge (runner-bridge.ts)
 * and the prelude and nothing of Node's.
 *
 * Limits: a time limit (paused while a host tool runs) or a cancel terminates the worker, which
 * also stops code after an `await`; the outcome is sent once the worker is really gone, so a
 * worker that cannot be stopped leaves the host's own deadline to replace the whole sandbox.
 * The worker's heap is capped by `resourceLimits`; memory outside the heap (typed arrays) is
 * watched against the sandbox's cgroup limit, so a buffer bomb ends as a memory error rather
 * than an out-of-memory kill of the sandbox. After any of these the next action gets a fresh
 * worker (started right away, not when the next action comes).
 *
 * Environment: ACTKIT_WORKER_MEMORY_MB, the heap limit of the worker started ahead of the first
 * action (default 256; an action asking for another limit gets a worker with that one).
 *
 * Everything the worker sends is treated as hostile: the context shares its thread with Node, so
 * the container is the boundary, and each message is checked and bounded before it goes on.
 */
import type { HostMessage, RunnerMessage } from '../remote/protocol.js';
import { WORKER_MESSAGE } from '../remote/runner-messages.js';
import { tripMs } from '../sandbox/action-clock.js';
import { SANDBOX_UNUSABLE } from '../sandbox/contract.js';

/** The other sandbox-side scripts, embedded as text by the bundler (src/build/sandbox-side.ts). */
declare const ACTKIT_PRELUDE_SOURCE: string;
declare const ACTKIT_BRIDGE_SOURCE: string;
declare const ACTKIT_WORKER_SOURCE: string;

/** Every field of any member of a union, for a message not yet known to be well-formed. */
type UnionFields<T> = { [K in T extends unknown ? keyof T : never]: T extends Record<K, infer V> ? V : never };

if (Number(process.versions.node.split('.')[0]) < 18) {
  process.stderr.write(`actkit runner: Node.js 18 or later is needed; this is ${process.version}.\n`);
  process.exit(1);
}
const { Worker, MessageChannel } = require('node:worker_threads') as typeof import('node:worker_threads');
const { readFileSync } = require('node:fs') as typeof import('node:fs');
/** Named once: each use of a defined identifier is replaced by the whole text. */
const workerSource = ACTKIT_WORKER_SOURCE;
const send = (message: RunnerMessage) => process.stdout.write(`${JSON.stringify(message)}\n`);

interface Sandbox {
  worker: import('node:worker_threads').Worker;
  memoryLimitMb: number;
  flag: Int32Array;
  replies: import('node:worker_threads').MessagePort;
  /** Set when the runner ends this worker itself: its exit is then expected. */
  stopping: boolean;
  /** Set once the worker has installed the prelude: an action's clock starts only then. */
  ready: boolean;
}
interface Run {
  id: number;
  request: string;
  sandbox: Sandbox;
  timer: NodeJS.Timeout | undefined;
  memoryWatch: NodeJS.Timeout | undefined;
  remainingMs: number;
  startedAt: number;
  /** When the pending tool call left for the host. */
  pausedAt: number;
  pendingCall: boolean;
  /** Set once the action was run again in a fresh worker (after making the first unusable). */
  retried: boolean;
  /** Set once the runner decided how this run ends (it may still wait for the worker to stop). */
  ending: boolean;
  /** How much more console output the action may send (its request's maxLogChars). */
  logCharsLeft: number;
}
/** The longest tool call or outcome the worker may send: below the host's own line limit (64 Mi). */
const MAX_MESSAGE_CHARS = 48 * 1024 * 1024;
const MAX_NAME_CHARS = 1000;

let sandbox: Sandbox | undefined;
let current: Run | undefined;
let lastMemoryLimitMb = Number(process.env.ACTKIT_WORKER_MEMORY_MB) || 256;
/** The allowed modules' bundles (from the host's `setup`), evaluated in every worker after the prelude. */
let moduleSource = '';

// Memory outside the V8 heap is not covered by resourceLimits: the process's resident size is
// checked against most of the sandbox's memory limit (cgroup v2, then v1) while an action runs.
const rssLimit = (() => {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const bytes = Number(readFileSync(file, 'utf8').trim());
      if (bytes > 0 && bytes < 2 ** 50) return bytes * 0.8;
    } catch {
      // Not in a cgroup with a limit (or not Linux): the sandbox's own limit is the only one.
    }
  }
  return Number.POSITIVE_INFINITY;
})();

const startWorker = (memoryLimitMb: number): Sandbox => {
  const shared = new SharedArrayBuffer(4);
  const channel = new MessageChannel();
  const options = {
    eval: true,
    workerData: { flag: shared, replies: channel.port2, prelude: ACTKIT_PRELUDE_SOURCE, bridge: ACTKIT_BRIDGE_SOURCE, modules: moduleSource },
    transferList: [channel.port2],
    resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb, maxYoungGenerationSizeMb: Math.min(32, memoryLimitMb) },
    // The worker's own stdout must never mix with the protocol.
    stdout: true,
    stderr: true,
  };
  let worker: import('node:worker_threads').Worker;
  try {
    // The flag lets Node call the context's own dynamic-import hook (see runner-worker.ts).
    worker = new Worker(workerSource, { ...options, execArgv: ['--experimental-vm-modules'] });
  } catch {
    // A Node that refuses the flag for a worker: the worker's realm then makes import()'s error.
    worker = new Worker(workerSource, options);
  }
  const started: Sandbox = { worker, memoryLimitMb, flag: new Int32Array(shared), replies: channel.port1, stopping: false, ready: false };
  lastMemoryLimitMb = memoryLimitMb;
  // Read and dropped: unread, what a taken-over worker writes there would pile up in this thread.
  worker.stdout.resume();
  worker.stderr.resume();
  worker.on('message', (message: unknown) => {
    try {
      onWorkerMessage(started, message);
    } catch {
      // A message that broke its own handling: whatever it was, it ends the worker, not the runner.
      const run = current;
      if (run && run.sandbox === started) stopThenFinish(run, { type: 'failed', id: run.id, reason: 'crash', message: 'The sandbox sent a message that is not valid.' });
      else void stopWorker(started);
    }
  });
  // A worker that dies on its own takes the running action with it; the next one starts fresh.
  // (Only after a run: a worker that cannot even start must not be restarted in a loop.)
  const died = (reason: 'memory' | 'crash', text: string) => {
    if (started.stopping) return;
    started.stopping = true;
    if (sandbox === started) sandbox = undefined;
    const run = current;
    if (!run || run.sandbox !== started || run.ending) return;
    finish(run, { type: 'failed', id: run.id, reason, message: text });
    prestart();
  };
  worker.on('error', (error: unknown) => {
    const { code, message } = errorFields(error);
    const memory = code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory/i.test(message);
    died(memory ? 'memory' : 'crash', message || 'The worker failed.');
  });
  worker.on('exit', () => died('crash', 'The worker exited.'));
  return started;
};

/**
 * What the worker says about an error is the code's to shape (a thrown value reaches this as
 * is): read it without assuming an Error, and never let reading it throw.
 */
const errorFields = (error: unknown): { code: string; message: string } => {
  try {
    if (typeof error === 'string') return { code: '', message: error.slice(0, 2000) };
    if (error === null || typeof error !== 'object') return { code: '', message: '' };
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { code: typeof code === 'string' ? code : '', message: typeof message === 'string' ? message.slice(0, 2000) : '' };
  } catch {
    return { code: '', message: '' };
  }
};

/**
 * One message from the worker, where the code runs: it is checked like input from the network.
 * Anything malformed, oversized or out of turn (a second tool call while one is pending) ends
 * the worker and the action as a crash; console output past the action's cap is dropped here,
 * whatever the prelude inside the worker did.
 */
const onWorkerMessage = (from: Sandbox, message: unknown) => {
  if (!from.ready && (message as { type?: unknown } | null)?.type === WORKER_MESSAGE.ready) {
    // A worker's start (on a loaded machine, seconds) is not the action's time: its clock starts now.
    from.ready = true;
    if (current && current.sandbox === from && !current.ending && !current.timer) startClock(current);
    return;
  }
  const run = current;
  if (!run || run.sandbox !== from || run.ending) return;
  const broken = (why: string) => stopThenFinish(run, { type: 'failed', id: run.id, reason: 'crash', message: `The sandbox broke the protocol: ${why}.` });
  if (message === null || typeof message !== 'object') return broken('a message that is not an object');
  const { type, callId, name, input, text, outcome } = message as Record<string, unknown>;
  if (type === WORKER_MESSAGE.toolCall) {
    if (run.pendingCall) return broken('a tool call while another was pending');
    if (typeof callId !== 'number' || typeof name !== 'string' || typeof input !== 'string') return broken('a malformed tool call');
    if (name.length > MAX_NAME_CHARS || input.length > MAX_MESSAGE_CHARS) return broken('a tool call too large to send');
    run.pendingCall = true;
    pauseClock(run);
    send({ type: 'tool_call', id: run.id, callId, name, input });
  } else if (type === WORKER_MESSAGE.log) {
    if (typeof text !== 'string') return broken('a malformed log message');
    const piece = text.slice(0, Math.max(0, run.logCharsLeft));
    if (!piece) return;
    run.logCharsLeft -= piece.length;
    send({ type: 'log', id: run.id, text: piece });
  } else if (type === WORKER_MESSAGE.done) {
    if (typeof outcome !== 'string' || outcome.length > MAX_MESSAGE_CHARS) return broken('an outcome that is not valid or too large');
    // Run again in a fresh worker: what earlier actions defined is gone.
    finish(run, { type: 'done', id: run.id, outcome, ...(run.retried ? { stateLost: true } : {}) });
  } else if (type === WORKER_MESSAGE.unusable) {
    const reason = typeof (message as { message?: unknown }).message === 'string' ? String((message as { message: string }).message).slice(0, 2000) : '';
    // An earlier action made this worker's global unusable (e.g. a tool's name made read-only):
    // nothing of this action has run yet, so it runs once more in a fresh worker.
    if (run.retried || !reason.includes(SANDBOX_UNUSABLE)) {
      return stopThenFinish(run, { type: 'failed', id: run.id, reason: 'crash', message: reason || 'the sandbox is unusable' });
    }
    run.retried = true;
    void stopWorker(from).then(() => {
      if (current !== run) return;
      run.sandbox = ensureWorker(lastMemoryLimitMb);
      run.sandbox.worker.postMessage(run.request);
    });
  } else if (type === WORKER_MESSAGE.fatal) {
    stopThenFinish(run, { type: 'failed', id: run.id, reason: 'crash', message: 'The code left an error nothing caught.' });
  } else broken('a message of an unknown type');
};

const ensureWorker = (memoryLimitMb: number): Sandbox => {
  if (sandbox && sandbox.memoryLimitMb === memoryLimitMb) return sandbox;
  if (sandbox) void stopWorker(sandbox);
  sandbox = startWorker(memoryLimitMb);
  return sandbox;
};

/** A worker ready for the next action, so it does not pay for a worker's start. */
const prestart = () => {
  if (!sandbox) sandbox = startWorker(lastMemoryLimitMb);
};

const stopWorker = (stopped: Sandbox): Promise<unknown> => {
  stopped.stopping = true;
  if (sandbox === stopped) sandbox = undefined;
  return stopped.worker.terminate();
};

const finish = (run: Run, message: RunnerMessage) => {
  if (current !== run) return;
  clearTimeout(run.timer);
  clearInterval(run.memoryWatch);
  current = undefined;
  send(message);
};

/** Ends a run whose code must be stopped: the outcome goes out once the worker is gone. */
const stopThenFinish = (run: Run, message: RunnerMessage) => {
  if (run.ending) return;
  run.ending = true;
  clearTimeout(run.timer);
  clearInterval(run.memoryWatch);
  void stopWorker(run.sandbox).then(() => {
    finish(run, message);
    prestart();
  });
};

// The clock runs only while the sandbox computes, not while a host tool works.
const startClock = (run: Run) => {
  run.startedAt = performance.now();
  run.timer = setTimeout(() => stopThenFinish(run, { type: 'failed', id: run.id, reason: 'timeout' }), Math.max(1, run.remainingMs));
};
const pauseClock = (run: Run) => {
  run.pausedAt = performance.now();
  if (!run.timer) return;
  clearTimeout(run.timer);
  run.timer = undefined;
  run.remainingMs -= run.pausedAt - run.startedAt;
};

const logCapOf = (request: string): number => {
  try {
    const cap = JSON.parse(request).maxLogChars;
    return typeof cap === 'number' && cap >= 0 ? cap : 10_000;
  } catch {
    return 10_000;
  }
};

/** One message from the host, as parsed from its line: any field may be missing. */
const handle = (message: Partial<UnionFields<HostMessage>> & { type: HostMessage['type'] }) => {
  if (message.type === 'setup') {
    // Before the first action: the worker started ahead of it is replaced by one with the modules.
    moduleSource = String(message.modules ?? '');
    if (sandbox && !current) void stopWorker(sandbox);
    prestart();
  } else if (message.type === 'run') {
    if (current) return send({ type: 'failed', id: message.id as number, reason: 'crash', message: 'An action is already running.' });
    // Asked for a clean slate (another run's state is in this worker): a new worker, as after a limit.
    if (message.fresh === true && sandbox) void stopWorker(sandbox);
    const run: Run = {
      id: message.id as number,
      request: String(message.request),
      sandbox: ensureWorker(message.memoryLimitMb ?? lastMemoryLimitMb),
      timer: undefined,
      memoryWatch: undefined,
      remainingMs: message.timeoutMs ?? 30_000,
      startedAt: performance.now(),
      pausedAt: 0,
      pendingCall: false,
      retried: false,
      ending: false,
      logCharsLeft: logCapOf(String(message.request)),
    };
    current = run;
    if (run.sandbox.ready) startClock(run);
    if (rssLimit !== Number.POSITIVE_INFINITY) {
      run.memoryWatch = setInterval(() => {
        if (process.memoryUsage.rss() > rssLimit) stopThenFinish(run, { type: 'failed', id: run.id, reason: 'memory' });
      }, 10);
    }
    run.sandbox.worker.postMessage(run.request);
  } else if (message.type === 'tool_result') {
    const run = current;
    if (!run || run.id !== message.id || !run.pendingCall || run.ending) return;
    run.pendingCall = false;
    // The call's way to the host and back is the code's time (the host counts it too): only the
    // tool's own time, as the host measured it, is left out.
    run.remainingMs -= tripMs(performance.now() - run.pausedAt, message.toolMs);
    run.sandbox.replies.postMessage(String(message.reply));
    Atomics.add(run.sandbox.flag, 0, 1);
    Atomics.notify(run.sandbox.flag, 0);
    startClock(run);
  } else if (message.type === 'cancel') {
    if (current && current.id === message.id) stopThenFinish(current, { type: 'failed', id: message.id, reason: 'aborted' });
  }
};

// Lines from the host: a large tool result arrives in many chunks, so each chunk is searched
// for a newline once, and a line is joined only when complete.
let pending: string[] = [];
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  let rest = chunk;
  let newline = rest.indexOf('\n');
  while (newline >= 0) {
    pending.push(rest.slice(0, newline));
    const line = pending.join('').trim();
    pending = [];
    rest = rest.slice(newline + 1);
    newline = rest.indexOf('\n');
    if (!line) continue;
    try {
      handle(JSON.parse(line));
    } catch (error) {
      process.stderr.write(`actkit runner: bad message ignored: ${(error as Error).message}\n`);
    }
  }
  if (rest) pending.push(rest);
});
// The host went away (closed, crashed): stop, so the sandbox can be reclaimed.
process.stdin.on('end', () => process.exit(0));
// `docker stop` (and any sandbox's shutdown) sends SIGTERM: as PID 1, Node would ignore it.
process.on('SIGTERM', () => process.exit(0));
prestart();
send({ type: 'ready', node: process.version });
