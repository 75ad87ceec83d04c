import type { JSONSchema } from './json-schema.js';
import { toolInputJSONSchema, toolOutputJSONSchema } from './tool-schemas.js';
import type { AnyTool } from './tool.js';

/**
 * Renders a JSON Schema as a TypeScript type, with property descriptions as doc comments.
 * Works from JSON Schema (not from zod) so that tools described only by JSON Schema — MCP
 * servers, for instance — get the same signatures as zod tools.
 */
export function jsonSchemaToTypeScript(schema: JSONSchema | boolean, indent = ''): string {
  return render(schema, { root: typeof schema === 'object' ? schema : {}, seen: new Set(), indent });
}

interface RenderState {
  root: JSONSchema;
  seen: Set<string>;
  indent: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function render(schema: JSONSchema | boolean | undefined, state: RenderState): string {
  if (schema === undefined || schema === true) return 'unknown';
  if (schema === false) return 'never';
  const type = renderWithoutNullable(schema, state);
  return schema.nullable === true && type !== 'unknown' ? union([type, 'null']) : type;
}

function renderWithoutNullable(schema: JSONSchema, state: RenderState): string {
  if (typeof schema.$ref === 'string') return renderRef(schema.$ref, state);
  if ('const' in schema) return literal(schema.const);
  if (Array.isArray(schema.enum)) return union(schema.enum.map(literal));
  const anyOf = (schema.anyOf ?? schema.oneOf) as JSONSchema[] | undefined;
  if (Array.isArray(anyOf)) return union(anyOf.map((s) => render(s, state)));
  if (Array.isArray(schema.allOf)) {
    return (schema.allOf as JSONSchema[]).map((s) => wrapForOperator(render(s, state))).join(' & ') || 'unknown';
  }
  if (Array.isArray(schema.type)) {
    return union((schema.type as string[]).map((t) => renderWithoutNullable({ ...schema, type: t }, state)));
  }
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return renderArray(schema, state);
    case 'object':
      return renderObject(schema, state);
    default:
      if (schema.properties || schema.additionalProperties) return renderObject(schema, state);
      if (schema.items || schema.prefixItems) return renderArray(schema, state);
      return 'unknown';
  }
}

function renderRef(ref: string, state: RenderState): string {
  // Only local references (#/$defs/X, #/definitions/X, #) are resolved; cycles render as unknown.
  if (state.seen.has(ref) || !ref.startsWith('#')) return 'unknown';
  const target = ref
    .slice(1)
    .split('/')
    .filter(Boolean)
    .reduce<unknown>((node, key) => (node as JSONSchema | undefined)?.[decodeURIComponent(key)], state.root);
  if (typeof target !== 'object' && typeof target !== 'boolean') return 'unknown';
  state.seen.add(ref);
  try {
    return render(target as JSONSchema | boolean, state);
  } finally {
    state.seen.delete(ref);
  }
}

function renderArray(schema: JSONSchema, state: RenderState): string {
  if (Array.isArray(schema.prefixItems)) {
    return `[${(schema.prefixItems as JSONSchema[]).map((s) => render(s, state)).join(', ')}]`;
  }
  if (Array.isArray(schema.items)) {
    return `[${(schema.items as JSONSchema[]).map((s) => render(s, state)).join(', ')}]`;
  }
  return `${wrapForOperator(render(schema.items as JSONSchema | undefined, state))}[]`;
}

function renderObject(schema: JSONSchema, state: RenderState): string {
  const properties = (schema.properties ?? {}) as Record<string, JSONSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const inner = `${state.indent}  `;
  const lines: string[] = [];
  for (const [key, propSchema] of Object.entries(properties)) {
    const doc = docComment(propSchema);
    if (doc) lines.push(...doc.map((l) => inner + l));
    const name = IDENTIFIER.test(key) ? key : JSON.stringify(key);
    const optional = required.has(key) ? '' : '?';
    lines.push(`${inner}${name}${optional}: ${render(propSchema, { ...state, indent: inner })};`);
  }
  const extra = schema.additionalProperties;
  if (extra !== undefined && extra !== false) {
    const valueType = extra === true ? 'unknown' : render(extra as JSONSchema, { ...state, indent: inner });
    if (lines.length === 0) return `Record<string, ${valueType}>`;
    lines.push(`${inner}[key: string]: ${valueType};`);
  }
  if (lines.length === 0) return '{}';
  return `{\n${lines.join('\n')}\n${state.indent}}`;
}

/** Lines of a `/** … *\/` comment for a schema's description, default and examples, if any. */
function docComment(schema: JSONSchema | boolean): string[] | undefined {
  if (typeof schema !== 'object') return undefined;
  const text: string[] = [];
  if (typeof schema.description === 'string' && schema.description.trim()) {
    text.push(...schema.description.trim().split('\n'));
  }
  if ('default' in schema) text.push(`@default ${JSON.stringify(schema.default)}`);
  if (text.length === 0) return undefined;
  const safe = text.map((l) => l.replace(/\*\//g, '* /'));
  return safe.length === 1 ? [`/** ${safe[0]} */`] : ['/**', ...safe.map((l) => ` * ${l}`), ' */'];
}

function literal(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

function union(types: string[]): string {
  const unique = [...new Set(types)];
  if (unique.includes('unknown')) return 'unknown';
  return unique.length === 0 ? 'never' : unique.map(wrapForOperator).join(' | ');
}

function wrapForOperator(type: string): string {
  return /^[\w$."[\]<>, ]+$/.test(type) || type.startsWith('{') ? type : `(${type})`;
}

/**
 * The declaration a code prompt shows for a tool:
 *
 *     /** Get the weather for a city. *\/
 *     declare function get_weather(input: { city: string }): { temperature: number };
 *
 * Tools in code actions return their result directly; `await` is allowed but not needed.
 */
export function toolSignature(tool: AnyTool): string {
  const input = jsonSchemaToTypeScript(toolInputJSONSchema(tool));
  const outputSchema = toolOutputJSONSchema(tool);
  const output = outputSchema ? jsonSchemaToTypeScript(outputSchema) : 'unknown';
  const doc = tool.description.split('\n').map((l) => l.replace(/\*\//g, '* /'));
  const comment = doc.length === 1 ? `/** ${doc[0]} */` : ['/**', ...doc.map((l) => ` * ${l}`), ' */'].join('\n');
  return `${comment}\ndeclare function ${tool.name}(input: ${input}): ${output};`;
}
