/**
 * A process that hosts isolates (in-process mode) and ends — `process.exit`, an uncaught
 * exception — while one of them is busy on isolated-vm's thread would never exit, or crash. Node's
 * exit runs isolated-vm's thread-pool teardown, which joins that thread:
 * - while an action runs there (a loop, a wait for a tool's answer, a hop to this thread, which
 *   no longer runs anything), nothing stops it any more, and the process sits at 0% CPU for good;
 * - just after an isolate was disposed of mid-action (a time limit, an abort, `close()`), its
 *   thread is still tearing it down, and Node takes V8's platform down under it: SIGSEGV, or a hang
 *   (core dumps: the teardown waiting in V8's compile dispatcher).
 *
 * Disposing of the isolates from the 'exit' listener does not help (that is the second case), and
 * isolated-vm has no synchronous way to wait for a thread; Node has no `_exit` (only
 * `process.execve`, since 22.15). So:
 * - with an action running on an isolate's thread, the process ends itself at once with SIGKILL,
 *   as the child of the child-process mode does, after saying why on stderr;
 * - within TEARDOWN_GRACE_MS of an isolate disposed of mid-action, the exit waits out the rest of
 *   it (a few ms suffice on a busy 2-core machine; the wait is only ever that long, and only then).
 *
 * Node prints an uncaught exception only after the 'exit' listeners have run, so the error that
 * ends the process is kept (`uncaughtExceptionMonitor`, which changes nothing) and printed here.
 */
import { inspect } from 'node:util';
import { isMainThread } from 'node:worker_threads';

const TEARDOWN_GRACE_MS = 200;

let actionsOnIsolateThreads = 0;
/** When an isolate was last disposed of while code ran on its thread (performance.now()). */
let lastDisposedMidAction = Number.NEGATIVE_INFINITY;
let listening = false;
/** The uncaught error being handled right now, if any: kept until the next tick, so that one a handler took is not printed later. */
let fatalError: { error: unknown } | undefined;

function listen(): void {
  // In a worker thread, 'exit' is the worker's, not the process's: it is left alone.
  if (listening || !isMainThread) return;
  listening = true;
  process.on('exit', beforeExit);
  process.on('uncaughtExceptionMonitor', (error) => {
    fatalError = { error };
    // A fatal one runs the 'exit' listeners before any tick; one a handler took is forgotten here.
    process.nextTick(() => {
      fatalError = undefined;
    });
  });
}

/** An action starts on an isolate's thread; call what this returns when it has ended. */
export function actionOnIsolateThread(): () => void {
  listen();
  actionsOnIsolateThreads++;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    actionsOnIsolateThreads--;
  };
}

/** An isolate is being disposed of while code runs on its thread: its thread tears it down for a while yet. */
export function isolateDisposedMidAction(): void {
  lastDisposedMidAction = performance.now();
}

function beforeExit(code: number): void {
  if (actionsOnIsolateThreads > 0) endAtOnce(code);
  const left = lastDisposedMidAction + TEARDOWN_GRACE_MS - performance.now();
  if (left > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, left);
}

function endAtOnce(code: number): never {
  try {
    if (fatalError) process.stderr.write(`Uncaught ${inspect(fatalError.error)}\n\n`);
    process.stderr.write(
      `actkit: this process is ending (exit code ${code}) while a code action runs in one of its isolates (the local executor's in-process mode). ` +
        "isolated-vm would keep it from exiting, so it ends now, with SIGKILL. To exit with a code of your own, `await executor.close()` first; or use mode: 'child-process'.\n",
    );
  } catch {
    // Nowhere to say it: end all the same.
  }
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL cannot be caught');
}
