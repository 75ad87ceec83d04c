import { describe, expect, it } from 'vitest';
import { answerToolCall, type SandboxTool } from '../src/index.js';

describe('answerToolCall', () => {
  const tools: SandboxTool[] = [
    { name: 'now', call: (input) => ({ got: input, big: 2n ** 70n }) },
    { name: 'later', call: async (input) => ({ got: input }) },
    {
      name: 'throws',
      call: () => {
        throw new Error('boom');
      },
    },
    { name: 'rejects', call: async () => Promise.reject(new Error('later boom')) },
    {
      name: 'cyclic',
      call: () => {
        const o: Record<string, unknown> = { n: 1n };
        o.self = o;
        return o;
      },
    },
  ];

  it('answers at once when the tool does, and with a promise of the same reply when it does not', async () => {
    const now = answerToolCall(tools, 'now', '{"a":1}');
    expect(typeof now).toBe('string');
    expect(JSON.parse(now as string)).toEqual({ ok: true, value: { got: { a: 1 }, big: '1180591620717411303424' } });
    const later = answerToolCall(tools, 'later', '{"a":1}');
    expect(later).toBeInstanceOf(Promise);
    expect(JSON.parse(await later)).toEqual({ ok: true, value: { got: { a: 1 } } });
  });

  it('turns a throw and a rejection alike into an error reply, never a throw', async () => {
    const thrown = answerToolCall(tools, 'throws', '{}');
    expect(typeof thrown).toBe('string');
    expect(JSON.parse(thrown as string)).toEqual({ ok: false, error: expect.stringMatching(/boom/) });
    expect(JSON.parse(await answerToolCall(tools, 'rejects', '{}'))).toEqual({ ok: false, error: expect.stringMatching(/later boom/) });
    expect(JSON.parse(answerToolCall(tools, 'missing', '{}') as string)).toEqual({ ok: false, error: 'Unknown tool "missing".' });
    expect(JSON.parse(answerToolCall(tools, 'now', '{') as string).ok).toBe(false);
    expect(JSON.parse(answerToolCall(tools, 'cyclic', '{}') as string)).toEqual({ ok: false, error: expect.stringMatching(/^cyclic: the tool's result is not JSON-serialisable/) });
  });
});
