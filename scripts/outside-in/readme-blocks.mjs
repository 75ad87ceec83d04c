// Code blocks of the READMEs, read from the Markdown (never copied into the suite).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The READMEs a user reads: the root one and each published package's. */
export function readmePaths(root) {
  const paths = [join(root, 'README.md')];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const pkgFile = join(root, 'packages', dir, 'package.json');
    const readme = join(root, 'packages', dir, 'README.md');
    if (!existsSync(pkgFile) || !existsSync(readme)) continue;
    if (JSON.parse(readFileSync(pkgFile, 'utf8')).private) continue;
    paths.push(readme);
  }
  return paths;
}

/**
 * Every fenced `ts`/`typescript` block of one Markdown file, with its line and the word after
 * `outside-in=` in the fence (a block the suite also runs, which must typecheck whole).
 */
export function codeBlocks(file, root) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\b(.*)$/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    const body = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].trimStart().startsWith(fence); j++) body.push(lines[j].slice(open[1].length));
    blocks.push({
      file: relative(root, file),
      line: i + 1,
      use: /outside-in=([\w-]+)/.exec(open[4])?.[1],
      code: body.join('\n'),
    });
    i = j;
  }
  return blocks;
}
