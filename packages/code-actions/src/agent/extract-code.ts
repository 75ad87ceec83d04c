/** Where the model puts its code: between a tag pair (default `<code>` … `</code>`) or in fenced blocks. */
export interface CodeBlockTags {
  open: string;
  close: string;
}

export const DEFAULT_CODE_TAGS: CodeBlockTags = { open: '<code>', close: '</code>' };

const FENCE = /```[ \t]*(js|javascript|ts|typescript|jsx|tsx|mjs)?[ \t]*\r?\n([\s\S]*?)(?:```|$)/g;

/**
 * The code of a model reply: every tag-delimited block, or failing that every fenced
 * JavaScript/TypeScript block, joined in order. A block left open at the end counts (the stop
 * sequence removes the closing tag). Returns undefined when the reply holds no code.
 */
export function extractCode(reply: string, tags: CodeBlockTags = DEFAULT_CODE_TAGS): string | undefined {
  const blocks: string[] = [];
  let from = 0;
  for (;;) {
    const open = reply.indexOf(tags.open, from);
    if (open < 0) break;
    const start = open + tags.open.length;
    const close = reply.indexOf(tags.close, start);
    blocks.push(stripFences(reply.slice(start, close < 0 ? undefined : close)));
    if (close < 0) break;
    from = close + tags.close.length;
  }
  if (blocks.length === 0) {
    for (const match of reply.matchAll(FENCE)) blocks.push(match[2] ?? '');
  }
  const code = blocks
    .map((b) => b.replace(/^\s*\n|\s+$/g, ''))
    .filter((b) => b.trim() !== '')
    .join('\n\n');
  return code === '' ? undefined : code;
}

/** Models sometimes put a fence inside the tags: keep what is inside the fence. */
function stripFences(block: string): string {
  const fenced = /^\s*```[\w-]*[ \t]*\r?\n([\s\S]*?)(?:```\s*)?$/.exec(block);
  return fenced ? (fenced[1] ?? '') : block;
}
