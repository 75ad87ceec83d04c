import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { z as z3 } from 'zod/v3';
import {
  finalAnswerTool,
  jsonSchemaToTypeScript,
  checkToolInput,
  checkToolOutput,
  parseJsonSafely,
  tool,
  ToolDefinitionError,
  toolInputJSONSchema,
  toolSignature,
  validateToolInput,
  validateToolOutput,
} from '../src/index.js';

const weather = tool({
  name: 'get_weather',
  description: 'Gets the current weather for a city.',
  input: z.object({
    city: z.string().describe('City name, e.g. "Paris"'),
    units: z.enum(['c', 'f']).default('c'),
    days: z.array(z.number().int().min(1)).optional(),
  }),
  output: z.object({ temperature: z.number(), sky: z.string().nullable() }),
  run: ({ city }) => ({ temperature: city.length, sky: null }),
});

describe('tool()', () => {
  it('rejects names that are not identifiers', () => {
    for (const name of ['get-weather', '1tool', 'class', '', 'a'.repeat(65)]) {
      expect(() => tool({ name, description: 'x', input: z.object({}), run: () => 1 })).toThrow(ToolDefinitionError);
    }
  });

  it('requires an object input schema and a description', () => {
    expect(() => tool({ name: 'a', description: 'x', input: z.string() as any, run: () => 1 })).toThrow(/z\.object/);
    // @ts-expect-error a tool takes one object argument: its types say so too
    expect(() => tool({ name: 'b', description: 'x', input: z.number(), run: (n) => n })).toThrow(/z\.object/);
    // Any object schema zod makes is one.
    const base = z.object({ a: z.number() });
    for (const made of [
      tool({ name: 'strict', description: 'x', input: base.strict(), run: ({ a }) => a }),
      tool({ name: 'loose', description: 'x', input: z.looseObject({ a: z.number() }), run: ({ a }) => a }),
      tool({ name: 'extended', description: 'x', input: base.extend({ b: z.string() }).partial(), run: ({ b }) => b }),
      tool({ name: 'refined', description: 'x', input: base.refine((v) => v.a > 0), run: ({ a }) => a }),
    ]) {
      expect(typeof made.run).toBe('function');
    }
    // zod 3's API (zod 4 ships it as zod/v3): named as such, with the way out.
    expect(() => tool({ name: 'a', description: 'x', input: z3.object({ city: z3.string() }) as any, run: () => 1 })).toThrow(
      /input is a zod 3 schema, and actkit takes zod 4 .*import \{ z \} from 'zod\/v4'/,
    );
    expect(() => tool({ name: 'a', description: ' ', input: z.object({}), run: () => 1 })).toThrow(/description/);
  });
});

describe('idempotent', () => {
  it('is kept when declared and absent otherwise', () => {
    const input = z.object({ id: z.string() });
    expect(tool({ name: 'lookup', description: 'Looks up.', input, idempotent: true, run: () => 1 }).idempotent).toBe(true);
    expect(tool({ name: 'charge', description: 'Charges.', input, idempotent: false, run: () => 1 }).idempotent).toBe(false);
    expect('idempotent' in tool({ name: 'other', description: 'Other.', input, run: () => 1 })).toBe(false);
  });
});

describe('synchronous', () => {
  const input = z.object({ id: z.string() });
  it('is kept when declared and absent otherwise', () => {
    expect(tool({ name: 'lookup', description: 'Looks up.', input, synchronous: true, run: () => 1 }).synchronous).toBe(true);
    expect('synchronous' in tool({ name: 'other', description: 'Other.', input, run: () => 1 })).toBe(false);
  });

  it('is refused for a tool whose call may wait: an approval, a refinement or a transform', () => {
    const define = (extra: object) => () => tool({ name: 'lookup', description: 'Looks up.', input, synchronous: true, run: () => 1, ...extra });
    expect(define({ needsApproval: true })).toThrow(ToolDefinitionError);
    expect(define({ needsApproval: () => false })).toThrow(/cannot be synchronous: it needs approval/);
    expect(define({ run: async () => 1 })).toThrow(/cannot be synchronous: its run is an async function/);
    expect(define({ input: z.object({ id: z.string().refine((s) => s !== '') }) })).toThrow(/input schema has a refinement or a transform/);
    expect(define({ output: z.number().transform((n) => n + 1) })).toThrow(/output schema has a refinement or a transform/);
    // What never waits is fine: no approval asked, plain schemas.
    expect(define({ needsApproval: false, output: z.number() })().synchronous).toBe(true);
  });

  it('is a type error with a run that returns a promise, which tool() cannot see when it is not async', () => {
    // `pnpm typecheck` checks the directives: each fails it if its error goes away.
    const promising = () =>
      tool({
        name: 'lookup',
        description: 'Looks up.',
        input,
        synchronous: true,
        // @ts-expect-error a synchronous tool's run returns its output, not a promise
        run: () => Promise.resolve(1),
      });
    const asyncRun = () =>
      tool({
        name: 'lookup',
        description: 'Looks up.',
        input,
        synchronous: true,
        // @ts-expect-error an async run returns a promise
        run: async () => 1,
      });
    // At run time only the async function shows.
    expect(promising().synchronous).toBe(true);
    expect(asyncRun).toThrow(/its run is an async function/);
    // Not synchronous: a promise is fine.
    expect(tool({ name: 'later', description: 'Later.', input, synchronous: false, run: async () => 1 }).synchronous).toBe(false);
  });
});

describe('JSON Schema and TypeScript from one zod schema', () => {
  it('gives an object JSON Schema with defaults optional', () => {
    const schema = toolInputJSONSchema(weather);
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['city']);
    expect(schema).not.toHaveProperty('$schema');
    expect((schema.properties as any).city.description).toBe('City name, e.g. "Paris"');
  });

  it('renders a readable declaration with doc comments', () => {
    expect(toolSignature(weather)).toBe(
      [
        '/** Gets the current weather for a city. */',
        'declare function get_weather(input: {',
        '  /** City name, e.g. "Paris" */',
        '  city: string;',
        '  /** @default "c" */',
        '  units?: "c" | "f";',
        '  days?: number[];',
        '}): {',
        '  temperature: number;',
        '  sky: string | null;',
        '};',
      ].join('\n'),
    );
  });

  it('renders refs, unions, tuples, records and cycles', () => {
    expect(
      jsonSchemaToTypeScript({
        type: 'object',
        properties: {
          node: { $ref: '#/$defs/Node' },
          pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] },
          tags: { type: 'object', additionalProperties: { type: 'string' } },
          either: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'integer' } }] },
          'odd-key': { const: 3 },
        },
        required: ['node'],
        $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } },
      }),
    ).toBe(
      [
        '{',
        '  node: {',
        '    next?: unknown;',
        '  };',
        '  pair?: [string, number];',
        '  tags?: Record<string, string>;',
        '  either?: string | number[];',
        '  "odd-key"?: 3;',
        '}',
      ].join('\n'),
    );
  });
});

describe('validation', () => {
  it('accepts JSON strings and applies defaults', async () => {
    const r = await validateToolInput(weather, '{"city":"Oslo"}');
    expect(r).toEqual({ success: true, value: { city: 'Oslo', units: 'c' } });
  });

  it('names the tool and the field on a bad argument', async () => {
    const r = await validateToolInput(weather, { city: 42, days: [1, 0] });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.error.toolName).toBe('get_weather');
    expect(r.error.message).toMatch(/^Invalid input for tool "get_weather": field "city": .*expected string/);
    expect(r.error.message).toMatch(/field "days\[1\]"/);
  });

  it('reports malformed JSON as an input error', async () => {
    const r = await validateToolInput(weather, '{"city": "Oslo"');
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.message).toMatch(/not valid JSON/);
  });

  it('never lets __proto__ keys through', async () => {
    const parsed = parseJsonSafely('{"a":{"__proto__":{"polluted":true}},"__proto__":{"polluted":true}}') as any;
    expect(Object.keys(parsed)).toEqual(['a']);
    expect(({} as any).polluted).toBeUndefined();
    const loose = tool({ name: 't', description: 'd', input: z.looseObject({}), run: (x) => x });
    const r = await validateToolInput(loose, JSON.parse('{"__proto__":{"polluted":true},"ok":1}'));
    expect(r.success && Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(({} as any).polluted).toBeUndefined();
  });

  it('drops __proto__ keys written with \\u escapes too', () => {
    const parsed = parseJsonSafely('{"\\u005f_proto__":{"polluted":true},"ok":1}') as any;
    expect(Object.keys(parsed)).toEqual(['ok']);
    expect(parseJsonSafely('{"text":"caf\\u00e9"}')).toEqual({ text: 'café' });
  });

  it('checks synchronously when the schema is synchronous, and parses a schema with refinements asynchronously', async () => {
    const now = checkToolInput(weather, '{"city":"Oslo"}');
    expect(now instanceof Promise).toBe(false);
    expect(now).toEqual({ success: true, value: { city: 'Oslo', units: 'c' } });
    expect(() => checkToolOutput(weather, { temperature: 'hot' })).toThrow(/get_weather.*output schema/);
    expect(checkToolOutput(weather, { temperature: 3, sky: 'blue' })).toEqual({ temperature: 3, sky: 'blue' });

    let refinements = 0;
    const later = tool({
      name: 'later',
      description: 'd',
      input: z.object({ n: z.number() }).refine(async ({ n }) => (refinements++, n > 0), 'n must be positive'),
      run: (x) => x,
    });
    const first = checkToolInput(later, { n: 1 });
    expect(first instanceof Promise).toBe(true);
    expect(await first).toEqual({ success: true, value: { n: 1 } });
    const refused = await checkToolInput(later, { n: -1 });
    expect(refused.success).toBe(false);
    if (!refused.success) expect(refused.error.message).toMatch(/n must be positive/);
    // Once a validation: no synchronous attempt starts the refinement and drops it.
    expect(refinements).toBe(2);
  });

  it('checks outputs against the output schema', async () => {
    await expect(validateToolOutput(weather, { temperature: 'hot' })).rejects.toThrow(/get_weather.*output schema/);
    await expect(validateToolOutput(weather, { temperature: 3, sky: 'blue' })).resolves.toEqual({
      temperature: 3,
      sky: 'blue',
    });
  });
});

describe('final_answer', () => {
  it('returns its answer and can be typed', async () => {
    const fa = finalAnswerTool(z.object({ total: z.number() }));
    const bad = await validateToolInput(fa, { answer: { total: 'x' } });
    expect(bad.success).toBe(false);
    const good = await validateToolInput(fa, { answer: { total: 3 } });
    expect(good.success && fa.run(good.value, { signal: new AbortController().signal, toolCallId: '1' })).toEqual({
      total: 3,
    });
  });
});
