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

  it('words its refusal as the host words its own (sandbox-side/mb.ts, bundled in)', () => {
    expect(text).toContain('// src/sandbox-side/mb.ts');
    // In a context of its own: the binding removes WebAssembly and buffer resizing from its global.
    const context = createContext();
    type Made = { binding: { callTool(name: string, json: string): string; log(text: string): void }; setOnHostThread(on: boolean): void };
    const makeBinding = runInContext(text, context) as (callTool: unknown, log: unknown, maxChars: number) => Made;
    const logged: string[] = [];
    const { binding, setOnHostThread } = makeBinding(
      { applySyncPromise: () => '{"ok":true,"value":"hop"}', applySync: () => '{"ok":true,"value":"plain"}' },
      { applyIgnored: (_: unknown, [text]: string[]) => logged.push(`ignored ${text}`), applySync: (_: unknown, [text]: string[]) => logged.push(`sync ${text}`) },
      2 * 1024 * 1024,
    );
    expect(binding.callTool('echo', '{}')).toBe('{"ok":true,"value":"hop"}');
    expect(JSON.parse(binding.callTool('echo', 'x'.repeat(3 * 1024 * 1024)))).toEqual({
      ok: false,
      error: 'echo: the arguments are too large to pass to the host (3.0 MB of JSON; the limit is 2.0 MB, an eighth of the sandbox memory).',
    });
    binding.log('a');
    // On the host's thread: plain calls both ways (applySyncPromise is not allowed there), the size limit the same.
    setOnHostThread(true);
    expect(binding.callTool('echo', '{}')).toBe('{"ok":true,"value":"plain"}');
    expect(JSON.parse(binding.callTool('echo', 'x'.repeat(3 * 1024 * 1024))).ok).toBe(false);
    binding.log('b');
    setOnHostThread(false);
    expect(binding.callTool('echo', '{}')).toBe('{"ok":true,"value":"hop"}');
    expect(logged).toEqual(['ignored a', 'sync b']);
    expect(runInContext('[typeof WebAssembly, typeof ArrayBuffer.prototype.resize, typeof SharedArrayBuffer.prototype.grow]', context)).toEqual(['undefined', 'undefined', 'undefined']);
  });
});
