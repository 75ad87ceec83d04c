import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * sucrase (the TypeScript pass) loads with the first code that needs it, not with the package:
 * in a process of its own, since this one's module graph is shared with other tests.
 */
const script = `
import { createRequire } from 'node:module';
import { compileAction } from '@actkit/code-actions';
const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/sucrase/'));
const atImport = loaded();
// Comparisons and arrows, as most code has them: plain JavaScript, no TypeScript pass.
const js = await compileAction('const a = [3, 1, 2].filter((x) => x > 1 && x < 3).length;\\nfor (let i = 0; i < 2; i++) if (i > 0) print(i);\\na');
const afterJavaScript = loaded();
const ts = await compileAction('const b: number = 2;\\nb');
console.log(JSON.stringify({ atImport, afterJavaScript, afterTypeScript: loaded(), js: js.code, ts: ts.code }));
`;

describe('the TypeScript pass', () => {
  it('is loaded by the first code that needs it, not with the package', { timeout: 60_000 }, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--conditions=@actkit/source', '--input-type=module', '--eval', script],
      { cwd: PACKAGE_DIR, env: { ...process.env, NODE_OPTIONS: '' } },
    );
    const outcome = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(outcome).toMatchObject({ atImport: false, afterJavaScript: false, afterTypeScript: true });
    expect(outcome.js).toContain('return (a)');
    expect(outcome.ts).toContain('return (b)');
    expect(outcome.ts).not.toContain(': number');
  });
});
