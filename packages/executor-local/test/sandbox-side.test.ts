import { createContext, runInContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ReplyBox } from '../src/reply-box.js';
import { SANDBOX_SIDE_SOURCES } from '../src/sandbox-side/sources.js';

describe('the isolate binding, bundled from sandbox-side/isolate-binding.ts', () => {
  const text = SANDBOX_SIDE_SOURCES.isolateBinding;

  it('is one self-contained strict function of the references, the reply box and the limit, the same text for every isolate', () => {
    expect(text).not.toMatch(/^\s*(import|export)\b/m);
    expect(text.startsWith('(function (callTool, takeTooLong, replyBox, log, maxChars) {\n\'use strict\';')).toBe(true);
    // The limit is an argument, never substituted into the text: V8's code cache serves every memory limit.
    expect(text).not.toMatch(/\d{6,}/);
  });

  it('words its refusal as the host words its own (sandbox-side/mb.ts, bundled in)', () => {
    expect(text).toContain('// src/sandbox-side/mb.ts');
    // In a context of its own: the binding removes WebAssembly and buffer resizing from its global.
    const context = createContext();
    type Made = { binding: { callTool(name: string, json: string): string; log(text: string): void }; setOnHostThread(on: boolean): void };
    const makeBinding = runInContext(text, context) as (callTool: unknown, takeTooLong: unknown, replyBox: SharedArrayBuffer, log: unknown, maxChars: number) => Made;
    const logged: string[] = [];
    // The host's side: `echo` answers at once; the others after the hop, through the reply box
    // (here before the binding looks at it, so that it never has to wait): `later` with a lone
    // surrogate, `full` filling the box exactly, `long` one unit too long for it, so the binding
    // fetches it with a second hop.
    const box = new ReplyBox();
    // As long as the box holds, ending on an astral character; one unit longer than it holds.
    const fullReply = `${'y'.repeat(ReplyBox.CHARS - 2)}🙂`;
    const longReply = `"${'z'.repeat(ReplyBox.CHARS - 1)}"`;
    const hops: string[] = [];
    const callTool = {
      applySync: (_: unknown, [name]: [string, string]) => {
        hops.push(name);
        if (name === 'echo') return '{"ok":true,"value":"now"}';
        box.put(name === 'later' ? '{"ok":true,"value":"later ✓ \ud800"}' : name === 'full' ? fullReply : longReply);
        return undefined;
      },
    };
    const takeTooLong = { applySync: () => (hops.push('take'), box.takeTooLong()) };
    const { binding, setOnHostThread } = makeBinding(
      callTool,
      takeTooLong,
      box.memory,
      { applyIgnored: (_: unknown, [text]: string[]) => logged.push(`ignored ${text}`), applySync: (_: unknown, [text]: string[]) => logged.push(`sync ${text}`) },
      2 * 1024 * 1024,
    );
    expect(binding.callTool('echo', '{}')).toBe('{"ok":true,"value":"now"}');
    expect(binding.callTool('later', '{}')).toBe('{"ok":true,"value":"later ✓ \ud800"}');
    expect(binding.callTool('full', '{}')).toBe(fullReply);
    expect(binding.callTool('long', '{}')).toBe(longReply);
    expect(hops).toEqual(['echo', 'later', 'full', 'long', 'take']);
    expect(JSON.parse(binding.callTool('echo', 'x'.repeat(3 * 1024 * 1024)))).toEqual({
      ok: false,
      error: 'echo: the arguments are too large to pass to the host (3.0 MB of JSON; the limit is 2.0 MB, an eighth of the sandbox memory).',
    });
    expect(hops).toHaveLength(5);
    binding.log('a');
    // On the host's thread: console output is a plain call too, the size limit the same.
    setOnHostThread(true);
    expect(binding.callTool('echo', '{}')).toBe('{"ok":true,"value":"now"}');
    expect(JSON.parse(binding.callTool('echo', 'x'.repeat(3 * 1024 * 1024))).ok).toBe(false);
    binding.log('b');
    setOnHostThread(false);
    binding.log('c');
    expect(logged).toEqual(['ignored a', 'sync b', 'ignored c']);
    expect(runInContext('[typeof WebAssembly, typeof ArrayBuffer.prototype.resize, typeof SharedArrayBuffer.prototype.grow]', context)).toEqual(['undefined', 'undefined', 'undefined']);
  });
});
