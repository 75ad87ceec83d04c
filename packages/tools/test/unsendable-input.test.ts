import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tool, ToolDefinitionError, toolInputJSONSchema, toolSignature, validateToolInput } from '../src/index.js';

const define = (input: z.ZodObject) => () => tool({ name: 'book', description: 'Books a slot.', input, run: () => 'ok' });

describe('tool inputs a model cannot send', () => {
  it.each([
    ['z.date()', z.object({ when: z.date() }), /field "when" \(date; use z\.coerce\.date\(\)/],
    ['z.bigint()', z.object({ amount: z.bigint() }), /field "amount" \(bigint; use z\.coerce\.bigint\(\)/],
    ['z.map()', z.object({ tags: z.map(z.string(), z.string()) }), /field "tags" \(map; use z\.record\(z\.string\(\), …\)\)/],
    ['z.instanceof(URL)', z.object({ page: z.instanceof(URL) }), /field "page" \(custom \(e\.g\. z\.instanceof\); use a string with a format, e\.g\. z\.url\(\)/],
    ['a nested z.date()', z.object({ slots: z.array(z.object({ start: z.date() })) }), /field "slots\[\]\.start" \(date;/],
  ])('refuses %s at definition, naming the field and the fix', (_, input, message) => {
    expect(define(input)).toThrow(ToolDefinitionError);
    expect(define(input)).toThrow(message);
  });

  it('names every such field at once', () => {
    expect(define(z.object({ a: z.date(), b: z.set(z.string()), ok: z.string() }))).toThrow(/field "a" \(date.*field "b" \(set; use z\.array/);
  });

  it('accepts the suggested fixes: a coerced date is an ISO string on the wire and a Date in run()', async () => {
    const booked = tool({
      name: 'book',
      description: 'Books a slot.',
      input: z.object({ when: z.coerce.date(), amount: z.coerce.bigint(), page: z.url() }),
      run: ({ when, amount }) => `${when.toISOString()} ${amount * 2n}`,
    });
    expect(toolInputJSONSchema(booked)).toMatchObject({
      properties: { when: { type: 'string', format: 'date-time' }, amount: { type: 'string', pattern: '^-?[0-9]+$' }, page: { type: 'string' } },
    });
    expect(toolSignature(booked)).toContain('when: string;');
    const input = await validateToolInput(booked, { when: '2026-01-02T03:04:05Z', amount: '21', page: 'https://example.com' });
    expect(input.success && (await booked.run(input.value, { signal: new AbortController().signal, toolCallId: 'x' }))).toBe('2026-01-02T03:04:05.000Z 42');
  });

  it('says what came when a coerced date is missing or not a date (zod says "expected date, received Date" for both)', async () => {
    const booked = tool({ name: 'book', description: 'Books a slot.', input: z.object({ slots: z.array(z.object({ when: z.coerce.date() })) }), run: () => 'ok' });
    const messageFor = async (input: unknown) => {
      const result = await validateToolInput(booked, input);
      return result.success ? 'accepted' : result.error.message;
    };
    expect(await messageFor({ slots: [{}] })).toBe('Invalid input for tool "book": field "slots[0].when": Invalid input: expected a date, and the field is missing');
    expect(await messageFor({ slots: [{ when: 'next tuesday' }] })).toBe(
      'Invalid input for tool "book": field "slots[0].when": Invalid input: expected a date (ISO 8601, like "2025-01-31" or "2025-01-31T09:30:00Z"), received "next tuesday"',
    );
    expect(await messageFor({ slots: [{ when: '2025-01-31' }] })).toBe('accepted');
  });
});
