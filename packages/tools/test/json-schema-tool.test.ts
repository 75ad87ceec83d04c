import { describe, expect, it } from 'vitest';
import { jsonSchemaTool, ToolDefinitionError, toolInputJSONSchema, toolOutputJSONSchema, toolSignature, validateToolInput, validateToolOutput } from '../src/index.js';

const forecast = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    city: { type: 'string', description: 'City name' },
    days: { type: 'integer', minimum: 1, maximum: 7, default: 3 },
    unit: { $ref: '#/definitions/Unit' },
  },
  required: ['city'],
  definitions: { Unit: { enum: ['c', 'f'] } },
};

describe('jsonSchemaTool()', () => {
  const t = jsonSchemaTool({
    name: 'forecast',
    description: 'Weather forecast.',
    inputSchema: forecast,
    outputSchema: { type: 'object', properties: { celsius: { type: 'number' } }, required: ['celsius'] },
    run: (input) => ({ celsius: String(input.city).length }),
  });

  it('shows models and code prompts the schema as written (without $schema)', () => {
    const { $schema: _, ...expected } = forecast;
    expect(toolInputJSONSchema(t)).toEqual(expected);
    expect(toolOutputJSONSchema(t)).toEqual({ type: 'object', properties: { celsius: { type: 'number' } }, required: ['celsius'] });
    expect(toolSignature(t)).toBe(
      [
        '/** Weather forecast. */',
        'declare function forecast(input: {',
        '  /** City name */',
        '  city: string;',
        '  /** @default 3 */',
        '  days?: number;',
        '  unit?: "c" | "f";',
        '}): {',
        '  celsius: number;',
        '};',
      ].join('\n'),
    );
  });

  it('validates calls against the converted schema, naming the field', async () => {
    expect(await validateToolInput(t, { city: 'Oslo', unit: 'c' })).toMatchObject({ success: true, value: { city: 'Oslo', unit: 'c' } });
    const bad = await validateToolInput(t, { city: 'Oslo', days: 9, unit: 'k' });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error.message).toMatch(/forecast[\s\S]*days[\s\S]*unit/);
    await expect(validateToolOutput(t, { celsius: 'warm' })).rejects.toThrow(/forecast.*output schema.*celsius/);
  });

  it('validates object schemas written with allOf as objects', async () => {
    const both = jsonSchemaTool({
      name: 'both',
      description: 'Needs a and b.',
      inputSchema: {
        allOf: [
          { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
          { type: 'object', properties: { b: { type: 'number' } }, required: ['b'] },
        ],
      },
      run: () => 'ok',
    });
    expect((await validateToolInput(both, { a: 'x', b: 1 })).success).toBe(true);
    const bad = await validateToolInput(both, { a: 'x' });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error.message).toMatch(/"both".*field "b"/);
  });

  it('refuses schemas it cannot validate, and non-object inputs, with the tool named', () => {
    const define = (inputSchema: object) => () => jsonSchemaTool({ name: 'odd', description: 'x', inputSchema: inputSchema as never, run: () => 1 });
    expect(define({ type: 'object', if: { properties: { a: { const: 1 } } }, then: { required: ['b'] } })).toThrow(/Tool "odd": its inputSchema .*cannot be validated: Conditional/);
    expect(define({ type: 'object', properties: { a: { $ref: 'https://example.com/a.json' } } })).toThrow(ToolDefinitionError);
    expect(define({ type: 'object', properties: { a: { type: 'decimal' } } })).toThrow(/Unsupported type: decimal/);
    expect(define({ type: 'string' })).toThrow(/must be a JSON Schema of type "object"/);
    expect(() => jsonSchemaTool({ name: 'not-an-identifier', description: 'x', inputSchema: { type: 'object' }, run: () => 1 })).toThrow(/Invalid tool name/);
  });
});
