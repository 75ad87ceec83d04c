import * as core from '@actkit/core';
import { valuesNotPassedThrough } from '@actkit/testing';
import { expect, it } from 'vitest';
import * as agentPackage from '../src/index.js';

// `export *` lets a name of this package shadow core's without an error: this is the check.
it('re-exports every value of @actkit/core as the very same binding (none shadowed by a name of this package)', () => {
  expect(valuesNotPassedThrough(agentPackage, core, 100)).toEqual([]);
});
