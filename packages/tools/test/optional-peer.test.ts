import { describe, expect, it } from 'vitest';
import { importOptionalPeer } from '../src/default-tools/optional-peer.js';

describe('optional peers of the web tools', () => {
  it('a missing package fails with an error naming it and the command that adds it', async () => {
    // A real dynamic import of a package that is not installed anywhere.
    const missing = 'actkit-package-that-is-not-installed';
    const error = await importOptionalPeer(missing, () => import(missing)).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toContain(`npm install ${missing}`);
    expect(error.message).toContain('optional peer dependency of @actkit/tools');
  });

  it('an installed package loads', async () => {
    const turndown = await importOptionalPeer('turndown', () => import('turndown'));
    expect(typeof turndown.default).toBe('function');
  });

  it('any other failure is not mistaken for a missing package', async () => {
    const broken = new Error('boom');
    await expect(importOptionalPeer('turndown', () => Promise.reject(broken))).rejects.toBe(broken);
  });
});
