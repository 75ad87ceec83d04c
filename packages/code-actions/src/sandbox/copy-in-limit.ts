/**
 * The most JSON carried into a sandbox at once (a tool's reply; on the local executor also the
 * action's code): an eighth of its memory limit. Larger, it would take the sandbox down or stall
 * it rather than fail the one call: a V8 isolate aborts its whole process on an allocation that
 * cannot fit, QuickJS copies it into its WebAssembly memory, a runner's worker runs out of memory
 * parsing it. An eighth is also where isolated-vm stops allowing `eval` of a string.
 */
export function copyInLimit(memoryLimitMb: number): number {
  return Math.floor((memoryLimitMb * 1024 * 1024) / 8);
}

/** A size in characters, as the refusals show it: `12.5 MB`. */
export const mb = (chars: number): string => `${(chars / 1024 / 1024).toFixed(1)} MB`;

/** A tool's reply (ToolReply JSON) as the sandbox gets it: too large, it is that tool's error, which the code can catch. */
export function sizedToolReply(name: string, replyJson: string, maxChars: number): string {
  if (replyJson.length <= maxChars) return replyJson;
  return JSON.stringify({
    ok: false,
    error: `${name}: the result is too large to pass into the sandbox (${mb(replyJson.length)} of JSON; the limit is ${mb(maxChars)}, an eighth of its memory). Ask for less at a time.`,
  });
}
