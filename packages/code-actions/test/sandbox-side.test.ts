import { createContext, runInContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { RUNNER_SOURCE, SANDBOX_PRELUDE, SANDBOX_UNUSABLE } from '../src/index.js';
import { bundleSandboxSide } from '../src/build/index.js';
import { SANDBOX_SIDE } from '../src/sandbox-side/entries.js';
import { MAX_JSON_DEPTH } from '../src/sandbox/json-limits.js';

describe('sandbox-side code, bundled into script text', () => {
  const sources = bundleSandboxSide(SANDBOX_SIDE);

  it('is what the package exports, self-contained and strict', () => {
    expect(SANDBOX_PRELUDE).toBe(sources.prelude);
    expect(RUNNER_SOURCE).toBe(sources.runner);
    for (const text of Object.values(sources)) {
      expect(text).not.toMatch(/^\s*(import|export)\b/m);
      expect(text).toContain("'use strict'");
    }
  });

  it("takes the constants it shares with the host from the host's own modules", () => {
    expect(sources.prelude).toContain(JSON.stringify(SANDBOX_UNUSABLE));
    expect(sources.prelude).toMatch(new RegExp(`MAX_JSON_DEPTH = (${MAX_JSON_DEPTH}|1e3)`));
    // The runner carries the prelude, the bridge and the worker it starts, once each.
    for (const file of ['prelude', 'runner-bridge', 'runner-worker']) {
      expect(RUNNER_SOURCE.split(`// src/sandbox-side/${file}.ts`).length - 1).toBe(1);
    }
  });

  it('leaves nothing on the sandbox global but the names it defines there on purpose', () => {
    const context = createContext();
    const before = new Set(runInContext('Object.getOwnPropertyNames(globalThis)', context) as string[]);
    runInContext('globalThis.__actkit_host = { callTool: () => \'{"ok":true}\', log: () => {} }', context);
    runInContext(sources.prelude, context);
    const added = (runInContext('Object.getOwnPropertyNames(globalThis)', context) as string[]).filter((name) => !before.has(name)).sort();
    expect(added).toEqual(['__actkit_defineLazyModule', '__actkit_defineModule', '__actkit_dynamicImport', '__actkit_import', '__actkit_runAction']);
  });
});
