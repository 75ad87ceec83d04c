import { SANDBOX_PRELUDE, SANDBOX_UNUSABLE } from '../sandbox/prelude.js';

/**
 * The runner that executes code actions inside a remote sandbox. It needs nothing but `node`
 * (18+): its source is one CommonJS script (`RUNNER_SOURCE`), started as `node -e` or from a file.
 *
 * The main thread speaks the protocol (protocol.ts) on stdin/stdout. Code runs in a worker
 * thread, in a `node:vm` context holding the prelude and nothing of Node's (no `require`, no
 * `process`). A tool call blocks the worker with `Atomics.wait` until the main thread has the
 * host's answer — that is what lets tools be called with or without `await`.
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
 * `runnerMain` is serialised with `Function.prototype.toString`: it must not reference anything
 * outside its own body.
 */
function runnerMain(require: NodeJS.Require, prelude: string, unusableMarker: string): void {
  if (Number(process.versions.node.split('.')[0]) < 18) {
    process.stderr.write(`actkit runner: Node.js 18 or later is needed; this is ${process.version}.\n`);
    process.exit(1);
  }
  const { Worker, MessageChannel } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  const send = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

  // ── the worker: a vm context with the prelude, tool calls made synchronous ────────────────
  // The context must never hold an object or function of the worker's own realm: from any of
  // them, `.constructor.constructor` is the worker's Function, and `Function('return process')`
  // hands out Node. So the host binding is made inside the context (BRIDGE), holding the worker's
  // functions only in a closure, and turning anything they throw — a stack overflow when the code
  // calls a tool at the edge of the stack — into an error of the context. The worker also never
  // touches a promise of the context (its `then` is the code's to replace): BRIDGE reports the
  // outcome through a callback, with the `then` captured before any code ran.
  const WORKER_SOURCE = `
    const { parentPort, workerData, receiveMessageOnPort } = require('node:worker_threads');
    const vm = require('node:vm');
    const { flag, replies, prelude, bridge, modules } = workerData;
    const signal = new Int32Array(flag);
    let callId = 0;
    // A null-prototype global: \`this.constructor\` then leads to the context's own intrinsics.
    const context = vm.createContext(Object.create(null));
    const callTool = (name, input) => {
      const id = ++callId;
      Atomics.store(signal, 0, 0);
      parentPort.postMessage({ type: 'tool_call', callId: id, name: String(name), input: String(input) });
      Atomics.wait(signal, 0, 0);
      const message = receiveMessageOnPort(replies);
      return message ? String(message.message) : JSON.stringify({ ok: false, error: 'No answer from the host.' });
    };
    const log = (text) => parentPort.postMessage({ type: 'log', text: String(text) });
    const settle = (ok, text) => parentPort.postMessage(ok ? { type: 'done', outcome: text } : { type: 'unusable', message: text });
    const makeRun = vm.runInContext(bridge, context, { filename: 'actkit-bridge.js' })(callTool, log, settle);
    vm.runInContext(prelude, context, { filename: 'actkit-prelude.js' });
    if (modules) vm.runInContext(modules, context, { filename: 'actkit-modules.js' });
    const run = makeRun();
    parentPort.on('message', (request) => {
      try {
        run(String(request));
      } catch {
        settle(false, 'the sandbox could not start the action');
      }
    });
  `;
  const BRIDGE = `'use strict';
    (function (callTool, log, settle) {
      const apply = Reflect.apply, then = Promise.prototype.then, StringCtor = String, RangeErrorCtor = RangeError;
      const overflow = () => new RangeErrorCtor('Maximum call stack size exceeded');
      globalThis.__actkit_host = {
        callTool(name, input) {
          try { return callTool(name, input); } catch { throw overflow(); }
        },
        log(text) {
          try { log(text); } catch { throw overflow(); }
        },
      };
      // Called once the prelude has defined __actkit_runAction, before any code runs.
      return () => {
        const runAction = globalThis.__actkit_runAction;
        return (request) => {
          apply(then, runAction(request), [
            (outcome) => settle(true, StringCtor(outcome)),
            (error) => settle(false, typeof error === 'string' ? error : 'the action failed outside the code'),
          ]);
        };
      };
    })`;

  interface Sandbox {
    worker: import('node:worker_threads').Worker;
    memoryLimitMb: number;
    flag: Int32Array;
    replies: import('node:worker_threads').MessagePort;
    /** Set when the runner ends this worker itself: its exit is then expected. */
    stopping: boolean;
  }
  interface Run {
    id: number;
    request: string;
    sandbox: Sandbox;
    timer: NodeJS.Timeout | undefined;
    memoryWatch: NodeJS.Timeout | undefined;
    remainingMs: number;
    startedAt: number;
    pendingCall: boolean;
    /** Set once the action was run again in a fresh worker (after making the first unusable). */
    retried: boolean;
    /** Set once the runner decided how this run ends (it may still wait for the worker to stop). */
    ending: boolean;
  }

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
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { flag: shared, replies: channel.port2, prelude, bridge: BRIDGE, modules: moduleSource },
      transferList: [channel.port2],
      resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb, maxYoungGenerationSizeMb: Math.min(32, memoryLimitMb) },
      // The worker's own stdout must never mix with the protocol.
      stdout: true,
      stderr: true,
    });
    const started: Sandbox = { worker, memoryLimitMb, flag: new Int32Array(shared), replies: channel.port1, stopping: false };
    lastMemoryLimitMb = memoryLimitMb;
    worker.on('message', (message: { type: string; callId?: number; name?: string; input?: string; text?: string; outcome?: string; message?: string }) => {
      const run = current;
      if (!run || run.sandbox !== started || run.ending) return;
      if (message.type === 'tool_call') {
        run.pendingCall = true;
        pauseClock(run);
        send({ type: 'tool_call', id: run.id, callId: message.callId, name: message.name, input: message.input });
      } else if (message.type === 'log') {
        send({ type: 'log', id: run.id, text: message.text });
      } else if (message.type === 'done') {
        let outcome = String(message.outcome);
        if (run.retried) outcome = JSON.stringify({ ...JSON.parse(outcome), stateLost: true });
        finish(run, { type: 'done', id: run.id, outcome });
      } else if (message.type === 'unusable') {
        // An earlier action made this worker's global unusable (e.g. a tool's name made read-only):
        // nothing of this action has run yet, so it runs once more in a fresh worker.
        if (run.retried || !String(message.message).includes(unusableMarker)) {
          return stopThenFinish(run, { type: 'failed', id: run.id, reason: 'crash', message: String(message.message) });
        }
        run.retried = true;
        void stopWorker(started).then(() => {
          if (current !== run) return;
          run.sandbox = ensureWorker(lastMemoryLimitMb);
          run.sandbox.worker.postMessage(run.request);
        });
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
    worker.on('error', (error: Error & { code?: string }) => {
      const memory = error?.code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory/i.test(String(error?.message));
      died(memory ? 'memory' : 'crash', String(error?.message ?? error));
    });
    worker.on('exit', () => died('crash', 'The worker exited.'));
    return started;
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

  const finish = (run: Run, message: object) => {
    if (current !== run) return;
    clearTimeout(run.timer);
    clearInterval(run.memoryWatch);
    current = undefined;
    send(message);
  };

  /** Ends a run whose code must be stopped: the outcome goes out once the worker is gone. */
  const stopThenFinish = (run: Run, message: object) => {
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
    run.startedAt = Date.now();
    run.timer = setTimeout(() => stopThenFinish(run, { type: 'failed', id: run.id, reason: 'timeout' }), Math.max(1, run.remainingMs));
  };
  const pauseClock = (run: Run) => {
    if (!run.timer) return;
    clearTimeout(run.timer);
    run.timer = undefined;
    run.remainingMs -= Date.now() - run.startedAt;
  };

  const handle = (message: { type: string; id: number; request?: string; timeoutMs?: number; memoryLimitMb?: number; reply?: string; modules?: string }) => {
    if (message.type === 'setup') {
      // Before the first action: the worker started ahead of it is replaced by one with the modules.
      moduleSource = String(message.modules ?? '');
      if (sandbox && !current) void stopWorker(sandbox);
      prestart();
    } else if (message.type === 'run') {
      if (current) return send({ type: 'failed', id: message.id, reason: 'crash', message: 'An action is already running.' });
      const run: Run = {
        id: message.id,
        request: String(message.request),
        sandbox: ensureWorker(message.memoryLimitMb ?? lastMemoryLimitMb),
        timer: undefined,
        memoryWatch: undefined,
        remainingMs: message.timeoutMs ?? 30_000,
        startedAt: Date.now(),
        pendingCall: false,
        retried: false,
        ending: false,
      };
      current = run;
      startClock(run);
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
      run.sandbox.replies.postMessage(String(message.reply));
      Atomics.store(run.sandbox.flag, 0, 1);
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
  prestart();
  send({ type: 'ready', node: process.version });
}

/** The runner as one self-contained CommonJS script: `node -e "$RUNNER_SOURCE"` or `node runner.cjs`. */
// `__name` is bound to a no-op because tools that keep function names (tsx, esbuild's keepNames) insert calls to it.
export const RUNNER_SOURCE = `((__name) => (${runnerMain.toString()})(require, ${JSON.stringify(SANDBOX_PRELUDE)}, ${JSON.stringify(SANDBOX_UNUSABLE)}))((f) => f);\n`;
