/**
 * In-process mode: a process that ends (`process.exit`, an uncaught exception) while an action
 * runs on an isolate's thread would never exit. Node's exit runs isolated-vm's thread-pool
 * teardown, which joins that thread, and nothing stops it any more: code in a loop, a wait for a
 * tool's answer, a hop to this thread, which no longer runs anything. The process would sit at
 * 0% CPU for good.
 *
 * Disposing of the isolate from the 'exit' listener does not cure it: Node takes V8's platform
 * down right after the listeners, while the isolate's thread is still unwinding, and the process
 * dies of a SIGSEGV (tried). isolated-vm has no synchronous way to wait for the thread, and Node
 * (before 22.15) no `_exit`. So the process ends itself at once with SIGKILL, as the child
 * process of the child-process mode does, after saying why on stderr. `close()` before exiting
 * avoids it: the action ends, and the process exits with its own code.
 *
 * Node prints an uncaught exception only after the 'exit' listeners have run, so the error that
 * ends the process is kept (`uncaughtExceptionMonitor`, which changes nothing) and printed here.
 */
import { inspect } from 'node:util';
import { isMainThread } from 'node:worker_threads';

let actionsOnIsolateThreads = 0;
let listening = false;
/** The uncaught error that is ending the process, if one is: nothing handles it. */
let fatalError: { error: unknown } | undefined;

/** Runs `action` (one running on an isolate's thread) counted, so that the process does not hang if it ends meanwhile. */
export async function onIsolateThread<T>(action: () => Promise<T>): Promise<T> {
  // In a worker thread, 'exit' is the worker's, not the process's: it is left alone.
  if (!listening && isMainThread) {
    listening = true;
    process.on('exit', endAtOnceIfAnActionRuns);
    // Fatal unless an 'uncaughtException' listener takes it (a rejection reaches here only when no 'unhandledRejection' listener did).
    process.on('uncaughtExceptionMonitor', (error) => {
      if (process.listenerCount('uncaughtException') === 0) fatalError = { error };
    });
  }
  actionsOnIsolateThreads++;
  try {
    return await action();
  } finally {
    actionsOnIsolateThreads--;
  }
}

function endAtOnceIfAnActionRuns(code: number): void {
  if (actionsOnIsolateThreads === 0) return;
  try {
    if (fatalError) process.stderr.write(`Uncaught ${inspect(fatalError.error)}\n\n`);
    process.stderr.write(
      `actkit: this process is ending (exit code ${code}) while a code action runs in one of its isolates (the local executor's in-process mode). ` +
        "isolated-vm would keep it from exiting, so it ends now, with SIGKILL. Call `await executor.close()` before `process.exit()`, or use mode: 'child-process'.\n",
    );
  } catch {
    // Nowhere to say it: end all the same.
  }
  process.kill(process.pid, 'SIGKILL');
}
