import { idleForMs } from './isolate-sandbox.js';

/**
 * Work that takes this thread for milliseconds (making an isolate, a warm-up round, disposing of
 * an isolate) and can wait: done in a pause — once no action has run in this process's isolates
 * for `PAUSE_MS` (an agent's model call is one) — so that it never lands between two actions run
 * back to back. Its timers are unref'd: pending work never keeps a script that is done alive.
 */
export const PAUSE_MS = 10;

/** Runs `work` in the next pause, or once `latestMs` have passed if no pause came by then. */
export function inAPause(work: () => void, latestMs = Number.POSITIVE_INFINITY): void {
  const deadline = performance.now() + latestMs;
  const attempt = () => {
    const idle = idleForMs();
    const left = deadline - performance.now();
    if (idle >= PAUSE_MS || left <= 0) work();
    else setTimeout(attempt, Math.min(PAUSE_MS - idle, left)).unref();
  };
  setTimeout(attempt, Math.min(PAUSE_MS, latestMs)).unref();
}

/** Disposals waiting for pauses, oldest first. */
const disposals: Array<{ dispose(): void }> = [];
let disposing = false;

/**
 * Disposes of `target` in a pause, one disposal per pause, so that a burst of them never takes the
 * thread for long: each waits at most `latestMs` after the one before it, and when more than
 * `maxPending` wait, the oldest is disposed of at once (they hold their memory until then).
 */
export function disposeInAPause(target: { dispose(): void }, latestMs: number, maxPending: number): void {
  disposals.push(target);
  while (disposals.length > maxPending) disposals.shift()?.dispose();
  if (disposing || disposals.length === 0) return;
  disposing = true;
  const next = () =>
    inAPause(() => {
      disposals.shift()?.dispose();
      if (disposals.length > 0) next();
      else disposing = false;
    }, latestMs);
  next();
}
