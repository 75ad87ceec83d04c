import { createContext, runInContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { SANDBOX_SIDE_SOURCES } from '../src/sandbox-side/sources.js';

describe('the isolate binding, bundled from sandbox-side/isolate-binding.ts', () => {
  const text = SANDBOX_SIDE_SOURCES.isolateBinding;

  it('is one self-contained strict function of the references and the limit, the same text for every isolate', () => {
    expect(text).not.toMatch(/^\s*(import|export)\b/m);
    expect(text.startsWith('(function (callTool, log, maxChars) {\n\'use strict\';')).toBe(true);
    // The limit is an argument, never substituted into the text: V8's code cache serves every memory limit.
    expect(text).not.toMatch(/\d{6,}/);
  });

  it("words its refusal with the host's own size formatting (copy-in-limit.ts), bundled in", () => {
    expect(text).toContain('// src/copy-in-limit.ts');
    // In a context of its own: the binding removes WebAssembly and buffer resizing from its global.
    const context = createContext();
    const makeBinding = runInContext(text, context) as (callTool: unknown, log: unknown, maxChars: number) => { callTool(name: string, json: string): string };
    const binding = makeBinding({ applySyncPromise: () => '{"ok":true,"value":1}' }, { applyIgnored: () => {} }, 2 * 1024 * 1024);
    expect(binding.callTool('echo', '{}')).toBe('{"ok":true,"value":1}');
    expect(JSON.parse(binding.callTool('echo', 'x'.repeat(3 * 1024 * 1024)))).toEqual({
      ok: false,
      error: 'echo: the arguments are too large to pass to the host (3.0 MB of JSON; the limit is 2.0 MB, an eighth of the sandbox memory).',
    });
    expect(runInContext('[typeof WebAssembly, typeof ArrayBuffer.prototype.resize, typeof SharedArrayBuffer.prototype.grow]', context)).toEqual(['undefined', 'undefined', 'undefined']);
  });
});
