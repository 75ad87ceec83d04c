/**
 * Limits on JSON that comes out of a sandbox. `JSON.parse` recurses once per level of nesting,
 * so a value nested a few thousand levels deep (which the sandbox can build cheaply) overflows
 * the host's stack: the depth is measured first, in one pass that does not recurse.
 */

/** The deepest nesting a value may have to cross the boundary (the prelude refuses deeper ones too). */
export const MAX_JSON_DEPTH = 1000;

/** The deepest nesting of arrays and objects in JSON text (strings are skipped, escapes honoured). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return deepest;
}
