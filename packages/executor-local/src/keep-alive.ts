/**
 * Keeps this process alive while an action is pending. The child process and its pipes do not
 * hold the event loop open (an idle executor must not keep a script from exiting, as in-process
 * isolates do not), so while the host waits for the child's next line — the code computing, a
 * tool's answer on its way, a person deciding on an approval — nothing else may: without this,
 * a script's `await executor.execute(…)` could end the process with an unsettled promise.
 *
 * One timer for the whole process, ref'd while anything holds it: holding and releasing only
 * flip its ref, which costs far less than an action.
 */
let holds = 0;
let timer: NodeJS.Timeout | undefined;

/** Holds the process open until the returned function is called (calling it again does nothing). */
export function holdProcessOpen(): () => void {
  if (holds++ === 0) {
    timer ??= setInterval(() => {}, 2 ** 31 - 1);
    timer.ref();
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holds === 0) timer?.unref();
  };
}
