import { SetupError } from '@actkit/app-kit';

/** actkit's exit codes (documented in --help and the README). */
export const EXIT = {
  ok: 0,
  /** The agent gave no final answer: max steps, stopped by a guard. */
  notSolved: 1,
  /** Bad command line or input file. */
  usage: 2,
  /** Model or setup problem: missing key, model API error, executor unavailable. */
  setup: 3,
  /** Ctrl-C (128 + SIGINT), as shells report it. */
  interrupted: 130,
} as const;

/**
 * Ctrl-C stops the run cleanly (the model call is cancelled, the sandbox closed, partial results
 * kept); a second Ctrl-C quits at once. Returns the function that stops listening.
 */
export function onInterrupt(stop: () => void): () => void {
  let count = 0;
  const handler = () => {
    count += 1;
    if (count > 1) process.exit(EXIT.interrupted);
    process.stderr.write('\nactkit: stopping… (Ctrl-C again to quit at once)\n');
    stop();
  };
  process.on('SIGINT', handler);
  return () => process.removeListener('SIGINT', handler);
}

export function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new SetupError('usage', `${flag} must be a positive whole number, not "${value}".`);
  return n;
}
