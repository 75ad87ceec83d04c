/**
 * The code that runs inside every sandbox before any code action: it defines
 * `__actkit_runAction`, the console, the tool functions, `final_answer` and the module loader.
 * One prelude for all executors is what makes a code action behave the same in an isolate,
 * a container or a hosted VM.
 *
 * `installPrelude` is serialised with `Function.prototype.toString` and evaluated inside the
 * sandbox, so it must not reference anything outside its own body (no imports, no helpers).
 *
 * The code shares the sandbox's intrinsics with the prelude and may replace any of them
 * (`Array.prototype.map`, `RegExp.prototype.exec`, `Function.prototype.call`…), and the change
 * persists into later steps. So the prelude captures every intrinsic it uses at install time and
 * calls it through `uncurry` (never through a prototype lookup, a spread, `for…of` or a regular
 * expression method): a code action that breaks a built-in breaks only its own calls to it.
 */

// The sandbox's global object is untyped by nature.
type SandboxGlobal = any;

function installPrelude(global: SandboxGlobal): void {
  const host = global.__actkit_host;
  delete global.__actkit_host;

  // ── intrinsics, captured before any code action runs ───────────────────────────────────────
  const { call, bind } = Function.prototype;
  /** `uncurry(String.prototype.slice)(s, 1)` is `s.slice(1)` with the original `slice`. */
  const uncurry = <A extends unknown[], R>(fn: (...args: A) => R): ((self: unknown, ...args: A) => R) => bind.call(call, fn) as never;
  const { stringify, parse } = JSON;
  const { keys: objectKeys, getOwnPropertyDescriptor, getPrototypeOf, defineProperty, freeze, create, is } = Object;
  const hasOwn = uncurry(Object.prototype.hasOwnProperty as (key: PropertyKey) => boolean);
  const mathMax = Math.max;
  const isArray = Array.isArray;
  const isView = ArrayBuffer.isView;
  const indirectEval = global.eval;
  const StringCtor = String;
  const NumberCtor = Number;
  const MapCtor = Map;
  const SetCtor = Set;
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

  const FINAL_ANSWER = freeze({ finalAnswer: true });
  /** Thrown when the code has made its own sandbox unusable (e.g. a tool's name made read-only): the host starts a fresh one. Equal to the exported SANDBOX_UNUSABLE (the prelude cannot import it). */
  const SANDBOX_UNUSABLE = 'actkit: the sandbox is unusable';
  const MAX_ITEMS = 100;
  const MAX_DEPTH = 4;
  const LINE_WIDTH = 76;

  class ToolCallFailed extends ErrorCtor {
    toolName: string;
    constructor(toolName: string, message: string) {
      super(message);
      this.name = 'ToolError';
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

  // ── values → JSON (what may cross the boundary) ────────────────────────────────────────────
  const toJSONValue = (_key: string, value: unknown): unknown => {
    if (typeof value === 'bigint') return `${value}`;
    if (value instanceof MapCtor) {
      const object = create(null);
      const entries = mapEntries(value);
      for (let r = mapIteratorNext(entries); !r.done; r = mapIteratorNext(entries)) object[StringCtor(r.value[0])] = r.value[1];
      return object;
    }
    if (value instanceof SetCtor) {
      const items: unknown[] = [];
      const values = setValues(value);
      for (let r = setIteratorNext(values); !r.done; r = setIteratorNext(values)) arrayPush(items, r.value);
      return items;
    }
    return value;
  };
  const toJSON = (value: unknown): string | undefined => stringify(value, toJSONValue);

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
    if (object instanceof DateCtor) return isNotANumber(dateGetTime(object)) ? 'Invalid Date' : dateToISO(object);
    if (object instanceof RegExpCtor) return regexpToString(object);
    if (object instanceof ErrorCtor) {
      const stack = object.stack;
      return typeof stack === 'string' && stack ? stack : `${object.name}: ${object.message}`;
    }
    if (object instanceof PromiseCtor) return 'Promise {}';
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
    if (object instanceof MapCtor) {
      const entries = mapEntries(object);
      for (let r = mapIteratorNext(entries); !r.done && items.length < MAX_ITEMS; r = mapIteratorNext(entries)) {
        arrayPush(items, `${child(r.value[0])} => ${child(r.value[1])}`);
      }
      return wrap(`Map(${mapSize(object)}) {`, items, '}', indent);
    }
    if (object instanceof SetCtor) {
      const values = setValues(object);
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
  let finalAnswer: { value: unknown } | undefined;
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
    let json: string | undefined;
    try {
      json = toJSON(value);
    } catch (error) {
      throw new TypeErrorCtor(`final_answer(value): the value must be JSON-serialisable (${(error as Error)?.message}).`);
    }
    finalAnswer = { value: json === undefined ? undefined : parse(json) };
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
  global.__actkit_defineModule = (name: string, exports: unknown) => {
    allow(name);
    modules[name] = exports;
  };
  global.__actkit_defineLazyModule = (name: string, load: () => void) => {
    allow(name);
    pending[name] = load;
  };
  global.__actkit_import = (specifier: string) => {
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

  const importModule = global.__actkit_import;
  global.__actkit_dynamicImport = (specifier: unknown) =>
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
    let stack = '';
    try {
      const s = error instanceof ErrorCtor ? error.stack : undefined;
      stack = typeof s === 'string' ? s : '';
    } catch {
      // A stack the code made throw (Error.prepareStackTrace) is no stack.
    }
    const frames: string[] = [];
    const all = lines(stack);
    for (let i = 0; i < all.length; i++) if (indexOf(all[i]!, filename) >= 0) arrayPush(frames, trim(all[i]!));
    let line: number | undefined;
    if (frames.length > 0) {
      const at = indexOf(frames[0]!, `${filename}:`);
      const digits = regexpExec(new RegExpCtor('^\\d+'), slice(frames[0]!, at + filename.length + 1));
      if (digits) line = NumberCtor(digits[0]);
    }
    return { line, stack: frames.length > 0 ? cap(arrayJoin(frames, '\n')) : undefined };
  };
  const describe = (error: unknown, filename: string) => {
    const where = locate(error, filename);
    const isError = error instanceof ErrorCtor;
    const described = create(null);
    described.kind = error instanceof ToolCallFailed ? 'tool' : 'runtime';
    described.name = isError ? StringCtor(error.name) : 'Uncaught';
    described.message = cap(isError ? StringCtor(error.message) : show(error));
    if (where.line) described.line = where.line;
    if (where.stack) described.stack = where.stack;
    if (error instanceof ToolCallFailed) described.toolName = error.toolName;
    return described;
  };

  global.__actkit_runAction = async (requestJson: string): Promise<string> => {
    const request = parse(requestJson) as {
      code: string;
      declaredNames: string[];
      tools: string[];
      maxLogChars: number;
      filename: string;
    };
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
      throw `${SANDBOX_UNUSABLE}: ${StringCtor((error as Error)?.message)}`;
    }

    const outcome = create(null);
    outcome.logs = '';
    outcome.logsTruncated = false;
    try {
      let run: () => Promise<unknown>;
      try {
        run = indirectEval(`(async function () {${request.code}\n})\n//# sourceURL=${request.filename}`);
      } catch (error) {
        const e = error as Error;
        outcome.error = { kind: 'syntax', name: StringCtor(e?.name ?? 'SyntaxError'), message: cap(StringCtor(e?.message ?? e)) };
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
          outcome.error = { kind: 'runtime', name: 'Uncaught', message: 'The code threw a value that cannot be described.' };
        }
      }
    }
    if (finalAnswer) outcome.finalAnswer = finalAnswer;
    outcome.logs = logs;
    outcome.logsTruncated = logsTruncated;
    return stringify(outcome);
  };
}

/** The message a sandbox's `__actkit_runAction` rejects with when the code made the sandbox unusable (e.g. a tool's name read-only). */
export const SANDBOX_UNUSABLE = 'actkit: the sandbox is unusable';

/** The prelude as source text, ready to evaluate in a fresh sandbox global (after `__actkit_host` is set). */
// `__name` is bound to a no-op because tools that keep function names (tsx, esbuild's keepNames) insert calls to it.
// Strict mode: a stack frame of the prelude then never hands its receiver to the code (CallSite.getThis).
export const SANDBOX_PRELUDE = `'use strict';\n((__name) => (${installPrelude.toString()})(globalThis))((f) => f);`;
