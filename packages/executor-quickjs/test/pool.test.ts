import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('QuickJS: the pool of ready sandboxes', { timeout: 120_000 }, () => {
  it('gives executors made back to back their sandboxes, with nothing else keeping the process alive', async () => {
    const script = fileURLToPath(new URL('./fixtures/back-to-back.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=@actkit/source', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      timeout: 110_000,
    });
    expect(JSON.parse(stdout)).toEqual(['1', '2', '3', '4']);
  });
});
