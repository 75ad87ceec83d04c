import * as core from '@actkit/core';
import { describe, expect, it } from 'vitest';
import * as agentPackage from '../src/index.js';

describe('the re-export of @actkit/core', () => {
  // `export *` lets a name of this package shadow core's without an error: this is the check.
  it('gives every value of @actkit/core, each the very same binding (none shadowed by a name of this package)', () => {
    const names = Object.keys(core);
    expect(names.length).toBeGreaterThan(100);
    const differing = names.filter((name) => (agentPackage as Record<string, unknown>)[name] !== (core as Record<string, unknown>)[name]);
    expect(differing).toEqual([]);
  });
});
