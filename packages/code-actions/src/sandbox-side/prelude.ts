/**
 * The code that runs inside every sandbox before any code action: it defines
 * `__actkit_runAction`, the console, the tool functions, `final_answer` and the module loader.
 * One prelude for all executors is what makes a code action behave the same in an isolate,
 * a container or a hosted VM.
 *
 * This file is bundled into script text (see src/build/sandbox-side.ts) and evaluated inside the sandbox, in
 * its own strict scope (a stack frame of the prelude then never hands its receiver to the code,
 * CallSite.getThis). What it imports must be constants or code that is itself safe to run there.
 *
 * The code shares the sandbox's intrinsics with the prelude and may replace any of them
 * (`Array.prototype.map`, `RegExp.prototype.exec`, `Function.prototype.call`…), and the change
 * persists into later steps. So the prelude captures every intrinsic it uses at install time and
 * calls it through `uncurry` (never through a prototype lookup, a spread, `for…of` or a regular
 * expression method): a code action that breaks a built-in breaks only its own calls to it.
 */

import {
  type ActionRequest,
  DEFINE_LAZY_MODULE,
  DEFINE_MODULE,
  DYNAMIC_IMPORT_FUNCTION,
  HOST_BINDING,
  IMPORT_FUNCTION,
  RUN_ACTION,
  SANDBOX_UNUSABLE,
  VARIABLES_MARK,
  VARIABLES_MISSING,
} from '../sandbox/contract.js';
import { MAX_JSON_DEPTH } from '../sandbox/json-limits.js';

// The sandbox's global object is untyped by nature.
type SandboxGlobal = any;
const global: SandboxGlobal = globalThis;

const host = global[HOST_BINDING];
delete global[HOST_BINDING];

// ── intrinsics, captured before any code action runs ───────────────────────────────────────
const { call, bind } = Function.prototype;
/** `uncurry(String.prototype.slice)(s, 1)` is `s.slice(1)` with the original `slice`. */
const uncurry = <A extends unknown[], R>(fn: (...args: A) => R): ((self: unknown, ...args: A) => R) => bind.call(call, fn) as never;
const { stringify, parse } = JSON;
const { keys: objectKeys, getOwnPropertyDescriptor, getPrototypeOf, defineProperty, freeze, create, is } = Object;
/** `instanceof` without consulting `Symbol.hasInstance`, which the code can define on any constructor. */
const ordinaryHasInstance = uncurry(Function.prototype[Symbol.hasInstance] as (value: unknown) => boolean);
const isInstance = (value: unknown, ctor: unknown): boolean => ordinaryHasInstance(ctor, value);
const hasOwn = uncurry(Object.prototype.hasOwnProperty as (key: PropertyKey) => boolean);
const mathMax = Math.max;
const isArray = Array.isArray;
const isView = ArrayBuffer.isView;
const indirectEval = global.eval;
const StringCtor = String;
const NumberCtor = Number;
const MapCtor = Map;
const SetCtor = Set;
const BooleanCtor = Boolean;
const DateCtor = Date;
const RegExpCtor = RegExp;
const ErrorCtor = Error;
const TypeErrorCtor = TypeError;
const PromiseCtor = Promise;
const { parseInt: toInt, parseFloat: toFloat, isNaN: isNotANumber } = NumberCtor;
const slice = uncurry(String.prototype.slice);
const indexOf = uncurry(String.prototype.indexOf as (search: string, from?: number) => number);
const charAt = uncurry(String.prototype.charAt);
const trim = uncurry(String.prototype.trim);
const startsWith = uncurry(String.prototype.startsWith as (search: string) => boolean);
const arrayPush = uncurry(Array.prototype.push as (...items: unknown[]) => number);
const arrayJoin = uncurry(Array.prototype.join as (separator: string) => string);
const mapEntries = uncurry(Map.prototype.entries);
const mapSize = uncurry(getOwnPropertyDescriptor(Map.prototype, 'size')!.get!);
const mapIteratorNext = uncurry(getPrototypeOf(new Map().entries()).next as () => IteratorResult<[unknown, unknown]>);
const setValues = uncurry(Set.prototype.values);
const setSize = uncurry(getOwnPropertyDescriptor(Set.prototype, 'size')!.get!);
const setIteratorNext = uncurry(getPrototypeOf(new Set().values()).next as () => IteratorResult<unknown>);
const dateGetTime = uncurry(Date.prototype.getTime);
const dateToISO = uncurry(Date.prototype.toISOString);
const regexpToString = uncurry(RegExp.prototype.toString);
const regexpExec = uncurry(RegExp.prototype.exec as (s: string) => RegExpExecArray | null);
const functionToString = uncurry(Function.prototype.toString);
const symbolToString = uncurry(Symbol.prototype.toString);
const toFixed = uncurry(Number.prototype.toFixed as (digits: number) => string);
const now = typeof performance === 'object' ? bind.call(performance.now, performance) : DateCtor.now;
const setAdd = uncurry(Set.prototype.add as (value: unknown) => Set<unknown>);
const setHas = uncurry(Set.prototype.has as (value: unknown) => boolean);
const setDelete = uncurry(Set.prototype.delete as (value: unknown) => boolean);
const numberValueOf = uncurry(Number.prototype.valueOf);
const stringValueOf = uncurry(String.prototype.valueOf);
const booleanValueOf = uncurry(Boolean.prototype.valueOf);
// What kind of built-in a value is, decided by its prototype chain through the captured
// constructors (never by `Symbol.hasInstance`, which the code can define). A fake (say,
// `Object.create(Map.prototype)`) passes, and then fails in the captured method: an error of
// the code's own making.
const isMap = (value: unknown) => isInstance(value, MapCtor);
const isSet = (value: unknown) => isInstance(value, SetCtor);
const isDate = (value: unknown) => isInstance(value, DateCtor);
const isRegExp = (value: unknown) => isInstance(value, RegExpCtor);
const ObjectPrototype = Object.prototype;
const ArrayPrototype = Array.prototype;
/** Prototypes whose `toJSON` the serialiser ignores: one the code put there must not rewrite every answer. */
const intrinsicPrototypes = new SetCtor<unknown>();
for (const ctor of [Object, Array, Function, String, Number, Boolean, Symbol, BigInt, Date, RegExp, Error, Map, Set, Promise, ArrayBuffer]) {
  setAdd(intrinsicPrototypes, ctor.prototype);
}
setAdd(intrinsicPrototypes, getPrototypeOf(Uint8Array.prototype));

const FINAL_ANSWER = freeze({ finalAnswer: true });
const MAX_ITEMS = 100;
const MAX_DEPTH = 4;
const LINE_WIDTH = 76;

class ToolCallFailed extends ErrorCtor {
  declare toolName: string;
  constructor(toolName: string, message: string) {
    super(message);
    // Defined, not assigned: a setter the code put on Error.prototype must not run here.
    defineProperty(this, 'name', { value: 'ToolError', writable: true, configurable: true });
    this.toolName = toolName;
  }
}

// ── small string helpers (no regular expressions: their methods can be replaced) ───────────
const isIdentifier = (key: string): boolean => {
  if (key.length === 0) return false;
  for (let i = 0; i < key.length; i++) {
    const c = charAt(key, i);
    const letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
};
const quote = (s: string): string => {
  let out = "'";
  for (let i = 0; i < s.length; i++) {
    const c = charAt(s, i);
    out += c === '\\' ? '\\\\' : c === "'" ? "\\'" : c === '\n' ? '\\n' : c;
  }
  return `${out}'`;
};
const lines = (text: string): string[] => {
  const out: string[] = [];
  let start = 0;
  for (let at = indexOf(text, '\n'); at >= 0; at = indexOf(text, '\n', start)) {
    arrayPush(out, slice(text, start, at));
    start = at + 1;
  }
  arrayPush(out, slice(text, start));
  return out;
};

// ── stacks ─────────────────────────────────────────────────────────────────────────────────
/** An error's stack text, or '' (not an Error, no stack, or a stack the code made throw through Error.prepareStackTrace). */
const stackOf = (error: unknown): string => {
  try {
    const stack = isInstance(error, ErrorCtor) ? (error as Error).stack : undefined;
    return typeof stack === 'string' ? stack : '';
  } catch {
    return '';
  }
};
/** As many frames as V8 records by default: a deep recursion's thousands of identical frames tell the model nothing more. */
const MAX_FRAMES = 10;
const isFrame = (line: string): boolean => startsWith(trim(line), 'at ');
/** Frames of the sandbox's own scripts (the prelude, a runner's bridge, Node's vm), which are no part of the code. */
const isSandboxFrame = (line: string): boolean =>
  indexOf(line, 'actkit-') >= 0 || indexOf(line, '(node:') >= 0 || indexOf(line, 'evalmachine.') >= 0 || indexOf(line, '[worker eval]') >= 0;
/**
 * `file:line:column` → `file:line`, at a frame's end. Every step's code runs rewritten (declarations
 * made persistent, the last expression returned, the whole wrapped in a function), so its columns
 * are off, and differ between engines; lines are kept aligned.
 */
const withoutColumn = (frame: string): string => {
  const position = regexpExec(new RegExpCtor(':(\\d+):\\d+(\\)?)$'), frame);
  return position ? `${slice(frame, 0, position.index)}:${position[1]}${position[2] ?? ''}` : frame;
};
/**
 * A logged error as Node prints it — its first line, then its frames — without the sandbox's own
 * frames. QuickJS's stack holds only the frames: the first line is added then.
 */
const errorText = (error: Error): string => {
  let head: string;
  try {
    const message = StringCtor(error.message);
    head = message ? `${StringCtor(error.name)}: ${message}` : StringCtor(error.name);
  } catch {
    head = 'Error';
  }
  const kept: string[] = [];
  const all = lines(stackOf(error));
  let frames = 0;
  for (let i = 0; i < all.length; i++) {
    const line = all[i]!;
    if (!isFrame(line)) {
      if (frames === 0 && line !== '') arrayPush(kept, line);
      continue;
    }
    if (isSandboxFrame(line) || frames >= MAX_FRAMES) continue;
    arrayPush(kept, withoutColumn(line));
    frames++;
  }
  if (kept.length === 0 || isFrame(kept[0]!)) return kept.length === 0 ? head : `${head}\n${arrayJoin(kept, '\n')}`;
  return arrayJoin(kept, '\n');
};

// ── values → JSON (what may cross the boundary) ────────────────────────────────────────────
// Written out rather than JSON.stringify: that consults `toJSON` on every object, and a
// `toJSON` the code put on Object.prototype would rewrite every later answer and tool call.
// A `toJSON` of the code's own classes and objects is honoured, as JSON.stringify would.
const ownToJSON = (value: object): ((key: string) => unknown) | undefined => {
  for (let o: object | null = value; o !== null; o = getPrototypeOf(o)) {
    if (setHas(intrinsicPrototypes, o)) return undefined;
    const descriptor = getOwnPropertyDescriptor(o, 'toJSON');
    if (descriptor) {
      const method = hasOwn(descriptor, 'value') ? descriptor.value : (value as Record<string, unknown>).toJSON;
      return typeof method === 'function' ? (key) => uncurry(method as (key: string) => unknown)(value, key) : undefined;
    }
  }
  return undefined;
};
const NOT_READ: unique symbol = Symbol('not read');
/** JSON text of a string, number or boolean, or undefined for any other value (the common leaves, written without a recursive call). */
const leafJSON = (value: unknown): string | undefined => {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' ? stringify(value) : undefined;
};
/**
 * `ancestors` holds the objects being written, for the circular check; the top call has none
 * (made when a nested object is met), so a flat value allocates no set.
 */
const serialise = (key: string, input: unknown, inputAncestors: Set<unknown> | undefined, depth: number): string | undefined => {
  let ancestors = inputAncestors;
  let value = input;
  /** The object's prototype, read once; NOT_READ until then, and again when `toJSON` replaced the value. */
  let proto: object | null | typeof NOT_READ = NOT_READ;
  if (value !== null && typeof value === 'object') {
    // A plain object or array without an own `toJSON` (nearly every tool input) has no method to honour.
    proto = getPrototypeOf(value);
    if (!((proto === ObjectPrototype || proto === ArrayPrototype) && !hasOwn(value, 'toJSON'))) {
      const method = ownToJSON(value);
      if (method) {
        value = method(key);
        proto = NOT_READ;
      }
    }
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'number':
      return stringify(value);
    case 'bigint':
      return stringify(`${value}`);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const object = value as object;
  if (proto === NOT_READ) proto = getPrototypeOf(object);
  // Plain objects and arrays (nearly everything) skip the checks for the other built-ins.
  const plain = proto === ObjectPrototype || proto === null || isArray(object);
  if (!plain && isDate(object)) return isNotANumber(dateGetTime(object)) ? 'null' : stringify(dateToISO(object));
  if (!plain && isInstance(object, NumberCtor)) return stringify(numberValueOf(object as unknown as number));
  if (!plain && isInstance(object, StringCtor)) return stringify(stringValueOf(object as unknown as string));
  if (!plain && isInstance(object, BooleanCtor)) return stringify(booleanValueOf(object as unknown as boolean));
  if (depth >= MAX_JSON_DEPTH) throw new TypeErrorCtor(`the value is nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (ancestors !== undefined) {
    if (setHas(ancestors, object)) throw new TypeErrorCtor('Converting circular structure to JSON');
    setAdd(ancestors, object);
  }
  const nested = (name: string, item: unknown) => {
    if (ancestors === undefined) {
      ancestors = new SetCtor();
      setAdd(ancestors, object);
    }
    return serialise(name, item, ancestors, depth + 1);
  };
  let out: string;
  if (isArray(object)) {
    const list = object as unknown[];
    const length = list.length;
    out = '[';
    for (let i = 0; i < length; i++) {
      const item = list[i];
      out += `${i > 0 ? ',' : ''}${leafJSON(item) ?? nested(`${i}`, item) ?? 'null'}`;
    }
    out += ']';
  } else if (!plain && isSet(object)) {
    out = '[';
    const values = setValues(object as Set<unknown>);
    let i = 0;
    for (let r = setIteratorNext(values); !r.done; r = setIteratorNext(values), i++) {
      out += `${i > 0 ? ',' : ''}${nested(`${i}`, r.value) ?? 'null'}`;
    }
    out += ']';
  } else {
    out = '{';
    let first = true;
    const add = (name: string, item: unknown) => {
      const text = leafJSON(item) ?? nested(name, item);
      if (text === undefined) return;
      out += `${first ? '' : ','}${stringify(name)}:${text}`;
      first = false;
    };
    if (!plain && isMap(object)) {
      const entries = mapEntries(object as Map<unknown, unknown>);
      for (let r = mapIteratorNext(entries); !r.done; r = mapIteratorNext(entries)) add(StringCtor(r.value[0]), r.value[1]);
    } else {
      // An error's name and message are not enumerable: without them it would cross as `{}`.
      const error = !plain && isInstance(object, ErrorCtor);
      if (error) {
        add('name', (object as Error).name);
        add('message', (object as Error).message);
      }
      const names = objectKeys(object);
      for (let i = 0; i < names.length; i++) {
        const name = names[i]!;
        if (!(error && (name === 'name' || name === 'message'))) add(name, (object as Record<string, unknown>)[name]);
      }
    }
    out += '}';
  }
  if (ancestors !== undefined) setDelete(ancestors, object);
  return out;
};
/** JSON text for a value, or undefined for what JSON leaves out (undefined, functions, symbols). */
const toJSON = (value: unknown): string | undefined => serialise('', value, undefined, 0);

// ── inspect: readable text for any value, like a REPL shows it ─────────────────────────────
const wrap = (open: string, items: string[], close: string, indent: string): string => {
  if (items.length === 0) return `${open}${close}`;
  const oneLine = `${open} ${arrayJoin(items, ', ')} ${close}`;
  if (oneLine.length + indent.length <= LINE_WIDTH && indexOf(oneLine, '\n') < 0) return oneLine;
  const inner = `${indent}  `;
  let out = `${open}\n`;
  for (let i = 0; i < items.length; i++) out += `${inner}${items[i]}${i < items.length - 1 ? ',' : ''}\n`;
  return `${out}${indent}${close}`;
};
const inspect = (value: unknown, depth: number, seen: unknown[], indent: string): string => {
  switch (typeof value) {
    case 'string':
      return depth === 0 ? value : quote(value);
    case 'number':
      return is(value, -0) ? '-0' : `${value}`;
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'symbol':
      return symbolToString(value);
    case 'function': {
      const name = typeof value.name === 'string' && value.name ? value.name : '(anonymous)';
      return startsWith(functionToString(value), 'class') ? `[class ${name}]` : `[Function: ${name}]`;
    }
  }
  if (value === null) return 'null';
  const object = value as object;
  for (let i = 0; i < seen.length; i++) if (seen[i] === object) return '[Circular]';
  if (isDate(object)) return isNotANumber(dateGetTime(object)) ? 'Invalid Date' : dateToISO(object);
  if (isRegExp(object)) return regexpToString(object);
  if (isInstance(object, ErrorCtor)) return errorText(object as Error);
  if (isInstance(object, PromiseCtor)) return 'Promise {}';
  if (depth > MAX_DEPTH) return isArray(object) ? '[Array]' : '[Object]';
  const next: unknown[] = [];
  for (let i = 0; i < seen.length; i++) arrayPush(next, seen[i]);
  arrayPush(next, object);
  const child = (v: unknown) => inspect(v, depth + 1, next, `${indent}  `);
  const items: string[] = [];
  if (isArray(object) || isView(object)) {
    const list = object as unknown as ArrayLike<unknown>;
    const length = list.length;
    for (let i = 0; i < length && i < MAX_ITEMS; i++) arrayPush(items, hasOwn(list, i) ? child(list[i]) : '<empty>');
    if (length > MAX_ITEMS) arrayPush(items, `... ${length - MAX_ITEMS} more items`);
    const prefix = isArray(object) ? '' : `${object.constructor?.name ?? 'TypedArray'}(${length}) `;
    return prefix + wrap('[', items, ']', indent);
  }
  if (isMap(object)) {
    const entries = mapEntries(object);
    for (let r = mapIteratorNext(entries); !r.done && items.length < MAX_ITEMS; r = mapIteratorNext(entries)) {
      arrayPush(items, `${child(r.value[0])} => ${child(r.value[1])}`);
    }
    return wrap(`Map(${mapSize(object)}) {`, items, '}', indent);
  }
  if (isSet(object)) {
    const values = setValues(object as Set<unknown>);
    for (let r = setIteratorNext(values); !r.done && items.length < MAX_ITEMS; r = setIteratorNext(values)) arrayPush(items, child(r.value));
    return wrap(`Set(${setSize(object)}) {`, items, '}', indent);
  }
  const names = objectKeys(object);
  for (let i = 0; i < names.length && i < MAX_ITEMS; i++) {
    const key = names[i]!;
    // Getters are shown, not run: reading a property must not execute the model's code.
    const descriptor = getOwnPropertyDescriptor(object, key);
    const shown = descriptor && hasOwn(descriptor, 'value') ? child(descriptor.value) : '[Getter]';
    arrayPush(items, `${isIdentifier(key) ? key : quote(key)}: ${shown}`);
  }
  if (names.length > MAX_ITEMS) arrayPush(items, `... ${names.length - MAX_ITEMS} more properties`);
  const proto = getPrototypeOf(object);
  const ctorName = proto === null ? '[Object: null prototype]' : proto?.constructor?.name;
  const prefix = typeof ctorName === 'string' && ctorName && ctorName !== 'Object' ? `${ctorName} ` : '';
  return prefix + wrap('{', items, '}', indent);
};
const show = (value: unknown) => inspect(value, 0, [], '');

// ── the state of the action being run ──────────────────────────────────────────────────────
let logs = '';
let logsTruncated = false;
let maxLogChars = 10_000;
/** The JSON text of the answer (`undefined` for a value JSON leaves out), once final_answer was called. */
let finalAnswer: { json: string | undefined } | undefined;
/** Set while an action runs: a second call of the entry point (the code reaching it) is refused. */
let running = false;
let groupIndent = '';

const appendLog = (text: string) => {
  if (logsTruncated) return;
  let piece = text;
  if (logs.length + piece.length > maxLogChars) {
    piece = slice(piece, 0, mathMax(maxLogChars - logs.length, 0));
    logsTruncated = true;
  }
  logs += piece;
  if (piece && host.log) host.log(piece);
};
/** The REPL value and error messages reach the model like the logs do: cut at the same size. */
const cap = (text: string): string =>
  text.length > maxLogChars ? `${slice(text, 0, maxLogChars)}… [${text.length - maxLogChars} more characters]` : text;

/** `cap(quote(s))` without quoting all of a huge string first. */
const capQuoted = (s: string): string =>
  s.length + 2 <= maxLogChars
    ? cap(quote(s))
    : `${slice(quote(slice(s, 0, maxLogChars)), 0, maxLogChars)}… [${s.length + 2 - maxLogChars} more characters]`;

// ── console ────────────────────────────────────────────────────────────────────────────────
// Like Node's console: a first string argument may hold %s/%d/%i/%f/%o/%O/%j/%c/%% directives.
const directive = (kind: string, arg: unknown): string => {
  switch (kind) {
    case 's':
      return typeof arg === 'string' ? arg : show(arg);
    case 'd':
      return typeof arg === 'bigint' ? `${arg}n` : `${NumberCtor(arg)}`;
    case 'i':
      return typeof arg === 'bigint' ? `${arg}n` : `${toInt(StringCtor(arg), 10)}`;
    case 'f':
      return `${toFloat(StringCtor(arg))}`;
    case 'j':
      try {
        return toJSON(arg) ?? 'undefined';
      } catch {
        return '[Circular]';
      }
    case 'c':
      return '';
    default:
      return inspect(arg, 1, [], '');
  }
};
const format = (args: unknown[]): string => {
  const first = args[0];
  let text = '';
  let next = 1;
  if (typeof first === 'string' && indexOf(first, '%') >= 0) {
    for (let i = 0; i < first.length; i++) {
      const c = charAt(first, i);
      const kind = charAt(first, i + 1);
      if (c === '%' && kind === '%') {
        text += '%';
        i++;
      } else if (c === '%' && indexOf('sdifoOjc', kind) >= 0 && kind !== '' && next < args.length) {
        text += directive(kind, args[next++]);
        i++;
      } else text += c;
    }
  } else {
    text = args.length > 0 ? show(first) : '';
  }
  for (let i = next; i < args.length; i++) text += ` ${show(args[i])}`;
  return text;
};
const print = (...args: unknown[]) => {
  let text = format(args);
  if (groupIndent) {
    const parts = lines(text);
    text = '';
    for (let i = 0; i < parts.length; i++) text += `${i > 0 ? '\n' : ''}${groupIndent}${parts[i]}`;
  }
  appendLog(`${text}\n`);
};
const counts: Record<string, number> = create(null);
const timers: Record<string, number> = create(null);
const elapsed = (label: string) => `${label}: ${toFixed(now() - (timers[label] ?? now()), 3)}ms`;
const consoleObject = freeze({
  log: print,
  info: print,
  debug: print,
  trace: print,
  warn: print,
  error: print,
  dir: (value: unknown) => print(value),
  table: (value: unknown) => print(value),
  assert: (condition: unknown, ...args: unknown[]) => {
    if (!condition) print(args.length > 0 ? `Assertion failed: ${format(args)}` : 'Assertion failed');
  },
  count: (label = 'default') => {
    counts[label] = (counts[label] ?? 0) + 1;
    print(`${label}: ${counts[label]}`);
  },
  countReset: (label = 'default') => {
    counts[label] = 0;
  },
  group: (...args: unknown[]) => {
    if (args.length > 0) print(format(args));
    groupIndent += '  ';
  },
  groupCollapsed: (...args: unknown[]) => {
    if (args.length > 0) print(format(args));
    groupIndent += '  ';
  },
  groupEnd: () => {
    groupIndent = slice(groupIndent, 2);
  },
  time: (label = 'default') => {
    timers[label] = now();
  },
  timeLog: (label = 'default', ...args: unknown[]) => print(args.length > 0 ? `${elapsed(label)} ${format(args)}` : elapsed(label)),
  timeEnd: (label = 'default') => {
    print(elapsed(label));
    delete timers[label];
  },
});

const finalAnswerFunction = (value: unknown) => {
  // JSON would leave these out, and the run would end with no answer at all.
  if (typeof value === 'function' || typeof value === 'symbol') {
    const hint = typeof value === 'function' ? ' To answer with what the function returns, call it.' : '';
    throw new TypeErrorCtor(`final_answer(value): a ${typeof value} is not an answer; pass a string, a number or an object.${hint}`);
  }
  // JSON would make it `{}`: the answer is what it settles to.
  if (isInstance(value, PromiseCtor)) throw new TypeErrorCtor('final_answer(value): the value is a promise; answer with what it resolves to: final_answer(await value).');
  let json: string | undefined;
  try {
    json = toJSON(value);
  } catch (error) {
    throw new TypeErrorCtor(`final_answer(value): the value must be JSON-serialisable (${(error as Error)?.message}).`);
  }
  finalAnswer = { json };
  throw FINAL_ANSWER;
};

// ── modules the user allowed ───────────────────────────────────────────────────────────────
const modules: Record<string, unknown> = create(null);
/** Modules registered with the code that defines them, run at their first import. */
const pending: Record<string, () => void> = create(null);
/** In the order they were defined, for the message that lists them. */
const allowed: string[] = [];
const allow = (name: string) => {
  for (let i = 0; i < allowed.length; i++) if (allowed[i] === name) return;
  arrayPush(allowed, name);
};
global[DEFINE_MODULE] = (name: string, exports: unknown) => {
  allow(name);
  modules[name] = exports;
};
global[DEFINE_LAZY_MODULE] = (name: string, load: () => void) => {
  allow(name);
  pending[name] = load;
};
global[IMPORT_FUNCTION] = (specifier: string) => {
  if (!hasOwn(modules, specifier) && hasOwn(pending, specifier)) {
    const load = pending[specifier]!;
    delete pending[specifier];
    load();
  }
  if (hasOwn(modules, specifier)) return modules[specifier];
  throw new ErrorCtor(
    `Cannot import "${specifier}": ${allowed.length > 0 ? `the allowed modules are ${arrayJoin(allowed, ', ')}` : 'no modules are allowed in this sandbox'}.`,
  );
};

const importModule = global[IMPORT_FUNCTION];
global[DYNAMIC_IMPORT_FUNCTION] = (specifier: unknown) =>
  new PromiseCtor((resolve) => {
    resolve(importModule(StringCtor(specifier)));
  });

// ── tools: synchronous functions that call the host ────────────────────────────────────────
const tools: Record<string, (input?: unknown) => unknown> = create(null);
const makeTool = (name: string) => {
  const tool = (input?: unknown) => {
    let json: string | undefined;
    try {
      json = toJSON(input === undefined ? {} : input);
    } catch (error) {
      throw new TypeErrorCtor(`${name}(): the arguments must be JSON-serialisable (${(error as Error)?.message}).`);
    }
    const reply = parse(host.callTool(name, json ?? '{}')) as { ok: boolean; value?: unknown; error?: string };
    if (reply.ok === true) return hasOwn(reply, 'value') ? reply.value : undefined;
    throw new ToolCallFailed(name, StringCtor(hasOwn(reply, 'error') ? reply.error : 'the tool failed'));
  };
  defineProperty(tool, 'name', { value: name });
  return tool;
};

/** (Re)installs a global the prelude owns; only a name the code made non-configurable defeats it. */
const install = (name: string, value: unknown) => {
  defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
};

// ── errors → what the model is told ────────────────────────────────────────────────────────
const locate = (error: unknown, filename: string) => {
  const frames: string[] = [];
  const all = lines(stackOf(error));
  for (let i = 0; i < all.length && frames.length < MAX_FRAMES; i++) if (indexOf(all[i]!, filename) >= 0) arrayPush(frames, trim(all[i]!));
  let line: number | undefined;
  if (frames.length > 0) {
    const at = indexOf(frames[0]!, `${filename}:`);
    const digits = regexpExec(new RegExpCtor('^\\d+'), slice(frames[0]!, at + filename.length + 1));
    if (digits) line = NumberCtor(digits[0]);
  }
  for (let i = 0; i < frames.length; i++) frames[i] = withoutColumn(frames[i]!);
  return { line, stack: frames.length > 0 ? cap(arrayJoin(frames, '\n')) : undefined };
};
const describe = (error: unknown, filename: string) => {
  const where = locate(error, filename);
  const isError = isInstance(error, ErrorCtor);
  const described = create(null);
  const isToolError = isInstance(error, ToolCallFailed);
  described.kind = isToolError ? 'tool' : 'runtime';
  described.name = isError ? StringCtor((error as Error).name) : 'Uncaught';
  described.message = cap(isError ? StringCtor((error as Error).message) : show(error));
  if (where.line) described.line = where.line;
  if (where.stack) described.stack = where.stack;
  if (isToolError) described.toolName = StringCtor((error as ToolCallFailed).toolName);
  return described;
};

/** The outcome as JSON text, assembled by hand: nothing here consults a prototype the code can change. */
const outcomeJson = (outcome: { value?: string; error?: object }): string => {
  let out = `{"logs":${stringify(logs)},"logsTruncated":${logsTruncated ? 'true' : 'false'}`;
  if (outcome.value !== undefined) out += `,"value":${stringify(outcome.value)}`;
  if (outcome.error) out += `,"error":${toJSON(outcome.error)}`;
  if (finalAnswer) out += `,"finalAnswer":{${finalAnswer.json === undefined ? '' : `"value":${finalAnswer.json}`}}`;
  return `${out}}`;
};

const runAction = async (requestJson: string): Promise<string> => {
  // The entry point is the executor's; if the code reaches it anyway, calling it from inside
  // an action (to reset the log cap, say) is refused.
  if (running) throw new TypeErrorCtor('An action is already running.');
  running = true;
  try {
    return await runRequest(requestJson);
  } finally {
    running = false;
  }
};
const runRequest = async (requestJson: string): Promise<string> => {
  const request = parse(requestJson) as ActionRequest;
  logs = '';
  logsTruncated = false;
  maxLogChars = request.maxLogChars;
  finalAnswer = undefined;
  groupIndent = '';

  // The prelude's globals and the tools are installed again before every action, so an
  // action that replaced them breaks only itself. Only a name the code made non-configurable
  // can stop this; the host then throws this sandbox away and starts a fresh one.
  try {
    install('console', consoleObject);
    install('print', print);
    install('final_answer', finalAnswerFunction);
    for (let i = 0; i < request.tools.length; i++) {
      const name = request.tools[i]!;
      tools[name] ??= makeTool(name);
      install(name, tools[name]);
    }
    for (let i = 0; i < request.declaredNames.length; i++) {
      const name = request.declaredNames[i]!;
      if (!(name in global)) global[name] = undefined;
    }
  } catch (error) {
    // A string, not an Error: the host reads it without running any getter the code installed.
    let why = 'a global could not be installed';
    try {
      why = StringCtor((error as Error)?.message);
    } catch {
      // Not an error of ours: the reason stays generic.
    }
    throw `${SANDBOX_UNUSABLE}: ${why}`;
  }

  const outcome: { value?: string; error?: object } = create(null);
  try {
    const variables = request.variables;
    if (variables && variables.json !== undefined) {
      // The run's first action here: the data becomes globals (a JSON.parse "__proto__" key is an own key).
      const data = parse(variables.json) as Record<string, unknown>;
      const names = objectKeys(data);
      for (let i = 0; i < names.length; i++) global[names[i]!] = data[names[i]!];
      global[VARIABLES_MARK] = variables.id;
    } else if (variables && global[VARIABLES_MARK] !== variables.id) {
      // A fresh sandbox: the host sends the action again, with the data. Nothing of the code ran.
      throw new ErrorCtor(VARIABLES_MISSING);
    }
    let run: () => Promise<unknown>;
    try {
      run = indirectEval(`(async function () {${request.code}\n})\n//# sourceURL=${request.filename}`);
    } catch (error) {
      const described = create(null);
      described.kind = 'syntax';
      described.name = 'SyntaxError';
      described.message = 'The code could not be compiled.';
      try {
        const e = error as Error;
        described.name = StringCtor(e?.name ?? 'SyntaxError');
        described.message = cap(StringCtor(e?.message ?? e));
      } catch {
        // An error whose name or message cannot be read keeps the generic ones.
      }
      outcome.error = described;
      run = async () => undefined;
    }
    if (!outcome.error) {
      const value = await run();
      // Like a REPL: a string result is shown quoted, so '42' and 42 look different.
      if (value !== undefined) outcome.value = typeof value === 'string' ? capQuoted(value) : cap(show(value));
    }
  } catch (error) {
    if (error !== FINAL_ANSWER && !finalAnswer) {
      try {
        outcome.error = describe(error, request.filename);
      } catch {
        // Describing the error ran the code's own getters, which threw again.
        const described = create(null);
        described.kind = 'runtime';
        described.name = 'Uncaught';
        described.message = 'The code threw a value that cannot be described.';
        outcome.error = described;
      }
    }
  }
  return outcomeJson(outcome);
};
// Configurable: the executor takes it and deletes the global before any code runs.
defineProperty(global, RUN_ACTION, { value: runAction, writable: false, configurable: true, enumerable: false });

// What the code never gets, on any executor. Each can schedule work that runs after its action
// ended, outside any time limit (a finalization callback, a wait that resolves later, a
// compilation that settles later); Atomics.waitAsync with a timeout also aborts the process
// that hosts an isolated-vm isolate, and a WebAssembly.Memory lives outside the heap's limit.
delete global.WebAssembly;
delete global.FinalizationRegistry;
if (typeof Atomics === 'object') delete (Atomics as { waitAsync?: unknown }).waitAsync;
