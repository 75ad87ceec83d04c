/** Where the model puts its code: between a tag pair (default `<code>` … `</code>`) or in fenced blocks. */
export interface CodeBlockTags {
  open: string;
  close: string;
}

export const DEFAULT_CODE_TAGS: CodeBlockTags = { open: '<code>', close: '</code>' };

const CODE_LANGUAGES = new Set(['', 'js', 'javascript', 'ts', 'typescript', 'jsx', 'tsx', 'mjs']);

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
  if (blocks.length === 0) blocks.push(...fencedBlocks(reply));
  const code = blocks
    .map((b) => b.replace(/^\s*\n|\s+$/g, ''))
    .filter((b) => b.trim() !== '')
    .join('\n\n');
  return code === '' ? undefined : code;
}

/** Fenced blocks in JavaScript, TypeScript or no language; fences are paired line by line. */
function fencedBlocks(reply: string): string[] {
  const blocks: string[] = [];
  let open: { language: string; lines: string[] } | undefined;
  for (const line of reply.split(/\r?\n/)) {
    const fence = /^\s*```\s*([\w-]*)\s*$/.exec(line);
    if (open) {
      if (fence && fence[1] === '') {
        if (CODE_LANGUAGES.has(open.language)) blocks.push(open.lines.join('\n'));
        open = undefined;
      } else open.lines.push(line);
    } else if (fence) open = { language: (fence[1] ?? '').toLowerCase(), lines: [] };
  }
  // A fence still open at the end was cut by a stop sequence or a token limit.
  if (open && CODE_LANGUAGES.has(open.language)) blocks.push(open.lines.join('\n'));
  return blocks;
}

/** Models sometimes put a fence inside the tags: keep what is inside the fence. */
function stripFences(block: string): string {
  const fenced = /^\s*```[\w-]*[ \t]*\r?\n([\s\S]*?)(?:```\s*)?$/.exec(block);
  return fenced ? (fenced[1] ?? '') : block;
}
