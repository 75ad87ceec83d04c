import type { z } from 'zod';

/**
 * Whether parsing `schema` may call code of the schema's author that can return a promise: a
 * refinement (`refine`, `superRefine`, `check(fn)`, `z.custom`), a transform (`transform`,
 * `preprocess`, a codec) or `z.promise`, anywhere inside it (lazy and recursive parts included).
 *
 * Why ask before parsing rather than try zod's synchronous parse first: for an async refinement,
 * the synchronous parse has already called it and started its promise when it gives up, and that
 * promise is out of reach (zod drops it), so a refinement that rejects becomes an unhandled
 * rejection, and every refinement runs twice. Whether a function returns a promise can only be
 * known by calling it, so any such function counts: these schemas go to `safeParseAsync` at once.
 *
 * Reads zod 4's schema definitions (`_zod.def`) generically: a part it does not know is walked
 * for the schemas it holds, so only the markers below are zod-version specific.
 */
export function schemaMayAwait(schema: z.ZodType): boolean {
  let known = verdicts.get(schema);
  if (known === undefined) {
    known = holdsAuthorCode(schema, new Set());
    verdicts.set(schema, known);
  }
  return known;
}

const verdicts = new WeakMap<object, boolean>();

interface SchemaLike {
  _zod: { def: Record<string, unknown>; innerType?: unknown };
}

function isSchema(value: unknown): value is SchemaLike {
  return typeof value === 'object' && value !== null && '_zod' in value && typeof (value as SchemaLike)._zod?.def === 'object';
}

function holdsAuthorCode(value: unknown, seen: Set<object>): boolean {
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  if (isSchema(value)) {
    const def = value._zod.def;
    // `check: 'custom'`: refine, superRefine, check(fn) and z.custom (a check, or a schema of its own).
    if (def.check === 'custom' || def.type === 'transform' || def.type === 'promise') return true;
    // A codec is a pipe that carries its decode function.
    if (def.type === 'pipe' && typeof def.transform === 'function') return true;
    // A lazy schema holds a getter: what it returns is what runs.
    if (def.type === 'lazy') return holdsAuthorCode(value._zod.innerType, seen);
    return Object.values(def).some((part) => holdsAuthorCode(part, seen));
  }
  if (Array.isArray(value)) return value.some((item) => holdsAuthorCode(item, seen));
  // An object shape, or a tuple's / union's parts; other objects (default values, enum entries, regexes) hold no schema.
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return Object.values(value).some((item) => holdsAuthorCode(item, seen));
  return false;
}
