import { describeError, ToolOutputError } from '@actkit/tools';
import { isFilePart, toolResultOutput } from './memory.js';

/** Deeper than this, a tool's output is refused: no real data nests so far, and walks of it would overflow. */
export const MAX_TOOL_OUTPUT_DEPTH = 256;

/**
 * A tool's output as plain JSON data, converted once, where the tool is called, so that every
 * later use (the model's message, a sandbox, memory, `toJSON()`) gets the same value and none can
 * fail on it. As `JSON.stringify` would, with fixes: a BigInt becomes its digits, bytes base64
 * text, a Map an object, a Set an array; file parts stay as they are (memory stores them its own way). A value that has no
 * JSON form — circular, a function, a `toJSON` that throws, nested deeper than
 * `MAX_TOOL_OUTPUT_DEPTH` — is a `ToolOutputError`: the model sees it as the call's error.
 */
export function toJsonOutput(toolName: string, output: unknown): unknown {
  if (typeof output === 'function' || typeof output === 'symbol') {
    throw new ToolOutputError(toolName, `it is a ${typeof output}${typeof output === 'function' ? ' (was it meant to be called?)' : ''}`);
  }
  const ancestors: object[] = [];
  const walk = (value: unknown, key: string, path: string): unknown => {
    // Bytes as base64 text (as memory stores them), not Buffer's `{ type, data: [...] }`.
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function' && !isFilePart(value)) {
      try {
        value = (value as { toJSON(key: string): unknown }).toJSON(key);
      } catch (error) {
        throw new ToolOutputError(toolName, `toJSON() of ${path} threw: ${describeError(error)}`, { cause: error });
      }
    }
    if (typeof value === 'bigint') return value.toString();
    if (value === null || typeof value !== 'object') return value;
    if (isFilePart(value)) return value;
    if (ancestors.includes(value)) throw new ToolOutputError(toolName, `it is circular (${path} refers back to an object that contains it)`);
    if (ancestors.length >= MAX_TOOL_OUTPUT_DEPTH) throw new ToolOutputError(toolName, `it is nested deeper than ${MAX_TOOL_OUTPUT_DEPTH} levels (at ${path.slice(0, 120)}…)`);
    ancestors.push(value);
    try {
      if (Array.isArray(value) || value instanceof Set) {
        // As in JSON, what has no JSON form inside an array becomes null.
        return Array.from(value as Iterable<unknown>, (item, i) => {
          const converted = walk(item, String(i), `${path}[${i}]`);
          return converted === undefined || typeof converted === 'function' || typeof converted === 'symbol' ? null : converted;
        });
      }
      const entries = value instanceof Map ? [...value].map(([k, v]) => [String(k), v] as const) : Object.entries(value);
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) {
        const converted = walk(v, k, `${path}.${k}`);
        // As in JSON, properties without a JSON form are left out.
        if (converted !== undefined && typeof converted !== 'function' && typeof converted !== 'symbol') out[k] = converted;
      }
      return out;
    } finally {
      ancestors.pop();
    }
  };
  try {
    return walk(output, '', '$');
  } catch (error) {
    if (error instanceof ToolOutputError) throw error;
    // A getter that throws, a proxy that refuses: still the tool's fault, still the model's to see.
    throw new ToolOutputError(toolName, describeError(error), { cause: error });
  }
}

/**
 * A tool's output as a step's record keeps it: whole up to `maxChars` characters of JSON, else its
 * text cut to `maxChars` with a note, so a huge result (50 MB of rows a code action went on to
 * summarise) is not kept in memory, saved, and sent back at every step. Files stay whole.
 */
export function boundForMemory(output: unknown, maxChars: number): unknown {
  if (typeof output === 'string') return output.length > maxChars ? truncateText(output, maxChars).text : output;
  if (output === null || typeof output !== 'object' || toolResultOutput(output).type === 'content') return output;
  // Already plain JSON (converted where the tool was called): no replacer needed, which keeps this fast.
  const text = JSON.stringify(output);
  return text.length > maxChars ? `${truncateText(text, maxChars).text}\n[The output was ${text.length} characters of JSON; memory keeps this much of it.]` : output;
}

/** Text for the model from a tool's output: strings as they are, files by name (`[file: image/png]`), anything else as JSON. */
export function formatToolOutput(output: unknown): string {
  if (typeof output === 'string') return output;
  if (isFilePart(output)) return fileLabel(output);
  if (output === undefined) return 'undefined';
  try {
    // A file part (an image a tool returned) is named, not dumped as base64: the file itself reaches the model apart.
    const replacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : isFilePart(v) ? fileLabel(v) : v);
    return JSON.stringify(output, replacer, 2) ?? String(output);
  } catch (error) {
    return `[unserialisable output: ${describeError(error)}]`;
  }
}

/** Cuts text to `max` characters, keeping head and tail and saying how much was left out. */
export function truncateText(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  const head = Math.ceil(max * 0.7);
  const tail = max - head;
  const omitted = text.length - head - tail;
  return {
    text: `${text.slice(0, head)}\n… [${omitted} characters truncated] …\n${tail > 0 ? text.slice(-tail) : ''}`,
    truncated: true,
  };
}

function fileLabel(file: { mediaType: string; filename?: string }): string {
  return `[file: ${file.mediaType}${file.filename ? ` ${file.filename}` : ''}]`;
}
