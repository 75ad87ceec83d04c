/**
 * The most text copied into an isolate at once (a tool's result, the action's code), or out of it
 * (a tool's arguments). V8 treats an allocation that cannot fit the heap inside isolated-vm's copy
 * as fatal — for the whole host process, not just the isolate — so anything that large is refused
 * before it is copied. An eighth of the memory limit is also where isolated-vm stops allowing
 * `eval` of a string.
 *
 * Imported by the host and by the isolate's binding (sandbox-side/isolate-binding.ts), so both
 * word their refusals alike.
 */
export function copyInLimit(memoryLimitMb: number): number {
  return Math.floor((memoryLimitMb * 1024 * 1024) / 8);
}

/** A size in characters, as the refusals show it: `12.5 MB`. */
export const mb = (chars: number): string => `${(chars / 1024 / 1024).toFixed(1)} MB`;
