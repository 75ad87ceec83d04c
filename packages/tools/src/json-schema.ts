import { z } from 'zod';

/** A JSON Schema object, as produced by zod and consumed by model APIs. */
export type JSONSchema = { [key: string]: unknown };

const cache = new WeakMap<z.ZodType, JSONSchema>();

/**
 * The JSON Schema of a zod schema, for what a caller must send (`io: "input"`: defaults make
 * fields optional). Memoised per schema object: tool schemas are converted once per process.
 */
export function toJSONSchema(schema: z.ZodType): JSONSchema {
  let json = cache.get(schema);
  if (!json) {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
      target: 'draft-07',
      io: 'input',
      unrepresentable: 'any',
      override: (ctx) => Object.assign(ctx.jsonSchema, coercedForm((ctx.zodSchema as unknown as ZodInternals)._zod.def)),
    }) as JSONSchema;
    json = rest;
    cache.set(schema, json);
  }
  return json;
}

type ZodInternals = { _zod: { def: { type: string; coerce?: boolean } } };

/** What a model sends for a coerced date or BigInt: text the schema coerces (JSON has neither). */
function coercedForm(def: { type: string; coerce?: boolean }): JSONSchema | undefined {
  if (!def.coerce) return undefined;
  if (def.type === 'date') return { type: 'string', format: 'date-time' };
  if (def.type === 'bigint') return { type: 'string', pattern: '^-?[0-9]+$' };
  return undefined;
}

/** Zod types with no JSON form, and what to write instead. */
const NO_JSON_FORM: Record<string, string> = {
  date: 'z.coerce.date() (the model sends an ISO date; it becomes a Date) or z.iso.datetime()',
  bigint: 'z.coerce.bigint() (the model sends the digits as text) or z.string() with a pattern',
  map: 'z.record(z.string(), …)',
  set: 'z.array(…)',
  custom: 'a string with a format, e.g. z.url(), z.email(), z.iso.datetime(), or z.string()',
  symbol: 'z.string() or z.enum([…])',
  function: 'a plain value: functions cannot be sent by a model',
  promise: 'the value itself',
  undefined: 'z.null() or .optional()',
  void: '.optional()',
  nan: 'z.number()',
};

/**
 * The fields of a schema a model could never send, because they have no JSON Schema form (a
 * z.date(), a z.map(), a z.instanceof(URL)…), each with its path and a fix. Empty when all is well.
 */
export function fieldsWithoutJSONForm(schema: z.ZodType): Array<{ path: string; type: string; fix: string }> {
  const found: Array<{ path: string; type: string; fix: string }> = [];
  z.toJSONSchema(schema, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const def = (ctx.zodSchema as unknown as ZodInternals)._zod.def;
      const fix = NO_JSON_FORM[def.type];
      if (fix && !coercedForm(def)) found.push({ path: fieldPath(ctx.path), type: def.type === 'custom' ? 'custom (e.g. z.instanceof)' : def.type, fix });
    },
  });
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

/** `["properties", "a", "items", "properties", "b"]` → `a[].b`. */
function fieldPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    if (part === 'properties' || part === 'patternProperties') out += `${out ? '.' : ''}${String(path[++i])}`;
    else if (part === 'items' || part === 'prefixItems') out += '[]';
    else if (part === 'additionalProperties') out += '[key]';
  }
  return out || '(the input)';
}
