import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { SANDBOX_PRELUDE, SANDBOX_UNUSABLE } from '../src/index.js';

describe('SANDBOX_PRELUDE', () => {
  it('is strict, self-contained and knows the unusable-sandbox message the hosts look for', () => {
    expect(SANDBOX_PRELUDE.startsWith("'use strict';")).toBe(true);
    expect(SANDBOX_PRELUDE).toContain(SANDBOX_UNUSABLE);
    const context = { __actkit_host: { callTool: () => '{"ok":true,"value":1}' } } as Record<string, unknown>;
    runInNewContext(SANDBOX_PRELUDE, context);
    expect(Object.keys(context)).not.toContain('__actkit_host');
    expect(typeof context.__actkit_runAction).toBe('function');
  });
});
