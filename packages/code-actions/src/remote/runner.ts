import { SANDBOX_PRELUDE } from '../sandbox/prelude.js';

/**
 * The runner that executes code actions inside a remote sandbox. It needs nothing but `node`
 * (18+): its source is one CommonJS script (`RUNNER_SOURCE`), started as `node -e` or from a file.
 *
 * The main thread speaks the protocol (protocol.ts) on stdin/stdout. Code runs in a worker
 * thread, in a `node:vm` context holding the prelude and nothing of Node's (no `require`, no
 * `process`). A tool call blocks the worker with `Atomics.wait` until the main thread has the
 * host's answer — that is what lets tools be called with or without `await`. A time limit or
 * a cancel terminates the worker (which also stops code after an `await`); the next action gets
 * a new worker, and the host is told the state was lost.
 *
 * `runnerMain` is serialised with `Function.prototype.toString`: it must not reference anything
 * outside its own body.
 */
function runnerMain(require: NodeJS.Require, prelude: string): void {
  const { Worker, MessageChannel } = require('node:worker_threads') as typeof import('node:worker_threads');
  const send = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

  // ── the worker: a vm context with the prelude, tool calls made synchronous ────────────────
  const WORKER_SOURCE = `
    const { parentPort, workerData, receiveMessageOnPort } = require('node:worker_threads');
    const vm = require('node:vm');
    const { flag, replies, prelude } = workerData;
    const signal = new Int32Array(flag);
    let callId = 0;
    // A null-prototype global: \`this.constructor\` then leads to the context's own intrinsics,
    // not to this realm's Function (the classic vm escape to \`process\`).
    const context = vm.createContext(Object.create(null));
    // Only strings cross into the context: no host object, no host function's realm to climb.
    const host = {
      callTool(name, input) {
        const id = ++callId;
        Atomics.store(signal, 0, 0);
        parentPort.postMessage({ type: 'tool_call', callId: id, name: String(name), input: String(input) });
        Atomics.wait(signal, 0, 0);
        const message = receiveMessageOnPort(replies);
        return message ? String(message.message) : JSON.stringify({ ok: false, error: 'No answer from the host.' });
      },
      log(text) { parentPort.postMessage({ type: 'log', text: String(text) }); },
    };
    context.__actkit_host = host;
    vm.runInContext(prelude, context, { filename: 'actkit-prelude.js' });
    const runAction = context.__actkit_runAction;
    parentPort.on('message', async (request) => {
      const outcome = await runAction(request);
      parentPort.postMessage({ type: 'done', outcome: String(outcome) });
    });
  `;

  let worker: import('node:worker_threads').Worker | undefined;
  let workerMemoryMb = 0;
  let flag: Int32Array;
  let replyPort: import('node:worker_threads').MessagePort;
  let current:
    | { id: number; timer: NodeJS.Timeout | undefined; remainingMs: number; startedAt: number; pendingCall: boolean }
    | undefined;

  const stopWorker = () => {
    const w = worker;
    worker = undefined;
    void w?.terminate();
  };

  const finish = (message: object) => {
    if (current?.timer) clearTimeout(current.timer);
    current = undefined;
    send(message);
  };

  // The clock runs only while the sandbox computes, not while a host tool works.
  const startClock = () => {
    if (!current) return;
    const run = current;
    run.startedAt = Date.now();
    run.timer = setTimeout(() => {
      stopWorker();
      finish({ type: 'failed', id: run.id, reason: 'timeout' });
    }, Math.max(1, run.remainingMs));
  };
  const pauseClock = () => {
    if (!current?.timer) return;
    clearTimeout(current.timer);
    current.timer = undefined;
    current.remainingMs -= Date.now() - current.startedAt;
  };

  const ensureWorker = (memoryLimitMb: number) => {
    if (worker && workerMemoryMb === memoryLimitMb) return worker;
    stopWorker();
    const shared = new SharedArrayBuffer(4);
    flag = new Int32Array(shared);
    const channel = new MessageChannel();
    replyPort = channel.port1;
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { flag: shared, replies: channel.port2, prelude },
      transferList: [channel.port2],
      resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb, maxYoungGenerationSizeMb: Math.min(32, memoryLimitMb) },
      stdout: true,
      stderr: true,
    });
    workerMemoryMb = memoryLimitMb;
    w.on('message', (message: { type: string; callId?: number; name?: string; input?: string; text?: string; outcome?: string }) => {
      if (!current || worker !== w) return;
      if (message.type === 'tool_call') {
        current.pendingCall = true;
        pauseClock();
        send({ type: 'tool_call', id: current.id, callId: message.callId, name: message.name, input: message.input });
      } else if (message.type === 'log') {
        send({ type: 'log', id: current.id, text: message.text });
      } else if (message.type === 'done') {
        finish({ type: 'done', id: current.id, outcome: message.outcome });
      }
    });
    w.on('error', (error: Error & { code?: string }) => {
      if (worker === w) worker = undefined;
      if (!current) return;
      const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY' || /heap|memory/i.test(error.message);
      finish({ type: 'failed', id: current.id, reason: memory ? 'memory' : 'crash', message: error.message });
    });
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      if (current && worker === undefined) finish({ type: 'failed', id: current.id, reason: 'crash', message: 'The worker exited.' });
    });
    worker = w;
    return w;
  };

  const handle = (message: { type: string; id: number; request?: string; timeoutMs?: number; memoryLimitMb?: number; callId?: number; reply?: string }) => {
    if (message.type === 'run') {
      if (current) return send({ type: 'failed', id: message.id, reason: 'crash', message: 'An action is already running.' });
      const w = ensureWorker(message.memoryLimitMb ?? 256);
      current = { id: message.id, timer: undefined, remainingMs: message.timeoutMs ?? 30_000, startedAt: Date.now(), pendingCall: false };
      startClock();
      w.postMessage(message.request);
    } else if (message.type === 'tool_result') {
      if (!current || current.id !== message.id || !current.pendingCall) return;
      current.pendingCall = false;
      replyPort.postMessage(message.reply);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      startClock();
    } else if (message.type === 'cancel') {
      if (!current || current.id !== message.id) return;
      stopWorker();
      finish({ type: 'failed', id: message.id, reason: 'aborted' });
    }
  };

  let buffer = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      if (!line) continue;
      try {
        handle(JSON.parse(line));
      } catch (error) {
        process.stderr.write(`actkit runner: bad message ignored: ${(error as Error).message}\n`);
      }
    }
  });
  // The host went away (closed, crashed): stop, so the sandbox can be reclaimed.
  process.stdin.on('end', () => process.exit(0));
  send({ type: 'ready', node: process.version });
}

/** The runner as one self-contained CommonJS script: `node -e "$RUNNER_SOURCE"` or `node runner.cjs`. */
// `__name` is bound to a no-op because tools that keep function names (tsx, esbuild's keepNames) insert calls to it.
export const RUNNER_SOURCE = `((__name) => (${runnerMain.toString()})(require, ${JSON.stringify(SANDBOX_PRELUDE)}))((f) => f);\n`;
