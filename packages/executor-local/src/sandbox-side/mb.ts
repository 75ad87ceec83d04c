/**
 * A size in characters, as the refusals show it: `12.5 MB`. The same as `mb` of
 * `@actkit/code-actions/sandbox`, which the isolate's binding (sandbox-side/isolate-binding.ts),
 * bundled into the isolate, cannot import without that whole entry: so both word their refusals alike.
 */
export const mb = (chars: number): string => `${(chars / 1024 / 1024).toFixed(1)} MB`;
