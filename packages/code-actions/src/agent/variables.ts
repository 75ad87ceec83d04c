import { randomUUID } from 'node:crypto';
import { AgentConfigError, type JSONSchema, jsonSchemaToTypeScript, type RunOptions, type SandboxVariables, toJSONSchema } from '@actkit/core';

/** Names the code already has: a variable must not hide them. */
const RESERVED = new Set(['final_answer', 'console', 'globalThis', 'undefined', 'NaN', 'Infinity', 'eval', 'arguments', 'import', 'require', '__proto__']);
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** How many elements of an array the type is inferred from (evenly spread): a 500 000-row table is not walked whole. */
const SAMPLE = 200;

export interface PreparedVariables {
  handle: SandboxVariables;
  /** What the task says about them: each name with its TypeScript type. */
  section: string;
}

/**
 * A run's variables, checked and serialised once: each must be a plain identifier that hides no
 * tool, and JSON-serialisable; one with a zod schema must match it. The task then lists them as
 * `declare const` lines, with types from the schema or inferred from the value.
 */
export function prepareVariables(
  variables: Record<string, unknown>,
  schemas: RunOptions['variableSchemas'],
  toolNames: readonly string[],
): PreparedVariables {
  const names = Object.keys(variables);
  for (const name of Object.keys(schemas ?? {})) {
    if (!(name in variables)) throw new AgentConfigError(`variableSchemas.${name} has no variable of that name.`);
  }
  const declarations: string[] = [];
  for (const name of names) {
    if (!IDENTIFIER.test(name) || RESERVED.has(name) || name.startsWith('__actkit')) {
      throw new AgentConfigError(`Variable name "${name}" cannot be a global of the code: use a plain identifier that is not a built-in.`);
    }
    if (toolNames.includes(name)) throw new AgentConfigError(`Variable "${name}" has the name of a tool: rename one of them.`);
    const schema = schemas?.[name];
    if (schema) {
      const checked = schema.safeParse(variables[name]);
      if (!checked.success) {
        throw new AgentConfigError(`Variable "${name}" does not match its schema: ${checked.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ')}`);
      }
    }
    const type = jsonSchemaToTypeScript(schema ? toJSONSchema(schema) : inferSchema(variables[name]));
    declarations.push(`declare const ${name}: ${type};`);
  }
  let json: string;
  try {
    json = JSON.stringify(variables);
  } catch (error) {
    throw new AgentConfigError(`\`variables\` must be JSON-serialisable: ${(error as Error).message}`, { cause: error });
  }
  return {
    handle: { id: randomUUID(), names, json },
    section: `\n\nYour code can use these global variables, given with the task (they are already defined; do not redeclare them unless you mean to replace them):\n\`\`\`ts\n${declarations.join('\n')}\n\`\`\``,
  };
}

/** A JSON Schema describing a JSON value (as it will be after serialisation), for its TypeScript type. */
export function inferSchema(value: unknown): JSONSchema {
  if (value === null || value === undefined) return { type: 'null' };
  if (typeof value === 'string') return { type: 'string' };
  if (typeof value === 'number') return { type: 'number' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (value instanceof Date) return { type: 'string' };
  if (Array.isArray(value)) {
    if (value.length === 0) return { type: 'array', items: {} };
    const step = Math.max(1, Math.floor(value.length / SAMPLE));
    let items: JSONSchema | undefined;
    for (let i = 0; i < value.length; i += step) items = items ? merge(items, inferSchema(value[i])) : inferSchema(value[i]);
    return { type: 'array', items: items! };
  }
  if (typeof value === 'object') {
    const properties: Record<string, JSONSchema> = {};
    const entries = Object.entries(value as object).filter(([, v]) => v !== undefined && typeof v !== 'function');
    for (const [key, v] of entries) properties[key] = inferSchema(v);
    return { type: 'object', properties, required: entries.map(([key]) => key), additionalProperties: false };
  }
  return {};
}

/** The schema of values that match `a` or `b`: objects merge their properties (those not in both become optional). */
function merge(a: JSONSchema, b: JSONSchema): JSONSchema {
  if (JSON.stringify(a) === JSON.stringify(b)) return a;
  if (a.type === 'object' && b.type === 'object') {
    const pa = (a.properties ?? {}) as Record<string, JSONSchema>;
    const pb = (b.properties ?? {}) as Record<string, JSONSchema>;
    const properties: Record<string, JSONSchema> = {};
    for (const key of new Set([...Object.keys(pa), ...Object.keys(pb)])) {
      properties[key] = pa[key] && pb[key] ? merge(pa[key], pb[key]) : (pa[key] ?? pb[key])!;
    }
    const required = ((a.required ?? []) as string[]).filter((k) => ((b.required ?? []) as string[]).includes(k));
    return { type: 'object', properties, required, additionalProperties: false };
  }
  if (a.type === 'array' && b.type === 'array') return { type: 'array', items: merge((a.items ?? {}) as JSONSchema, (b.items ?? {}) as JSONSchema) };
  const options = [...((a.anyOf as JSONSchema[] | undefined) ?? [a])];
  for (const option of (b.anyOf as JSONSchema[] | undefined) ?? [b]) {
    const same = options.findIndex((o) => o.type === option.type);
    if (same < 0) options.push(option);
    else options[same] = merge(options[same]!, option);
  }
  return options.length === 1 ? options[0]! : { anyOf: options };
}
