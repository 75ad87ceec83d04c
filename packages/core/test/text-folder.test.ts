import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readTextFolder } from '../src/build/index.js';
import { DEFAULT_LOOP_PROMPTS } from '../src/index.js';

describe('texts kept in Markdown files (readTextFolder)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'actkit-texts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const folder = (name: string, files: Record<string, string>) => {
    const path = join(dir, name);
    mkdirSync(path);
    for (const [file, text] of Object.entries(files)) writeFileSync(join(path, file), text);
    // The URL of the folder's texts.ts, as that module passes its own import.meta.url.
    return pathToFileURL(join(path, 'texts.ts')).href;
  };

  it('reads each listed file as its text, without the final newline an editor adds', () => {
    const url = folder('ok', { 'a.md': 'First {{x}}\n', 'b.md': '\n\nLeading lines kept\r\nand CRLF made LF\n', 'texts.ts': '' });
    expect(readTextFolder(url, ['a', 'b'])).toEqual({ a: 'First {{x}}', b: '\n\nLeading lines kept\nand CRLF made LF' });
  });

  it('names a missing file and one nobody listed', () => {
    const url = folder('wrong', { 'a.md': 'A', 'stray.md': 'S' });
    expect(() => readTextFolder(url, ['a', 'gone'])).toThrow(/missing gone\.md; not listed: stray\.md/);
  });

  it("gives the loop's default prompts the text of their files", () => {
    const file = fileURLToPath(new URL('../src/prompts/update-plan.md', import.meta.url));
    expect(DEFAULT_LOOP_PROMPTS.updatePlan).toBe(readFileSync(file, 'utf8').replace(/\n$/, ''));
    expect(DEFAULT_LOOP_PROMPTS.updatePlan).toContain('{{remaining_steps}}');
  });
});
