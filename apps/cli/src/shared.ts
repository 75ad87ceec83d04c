import { SetupError } from '@actkit/app-kit';
import { EXIT } from './exit-codes.js';

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

/** A comma-separated flag value as its trimmed, non-empty parts. */
export function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}
