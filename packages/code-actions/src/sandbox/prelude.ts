/**
 * The code that runs inside every sandbox before any code action: it defines
 * `__actkit_runAction`, the console, the tool functions, `final_answer` and the module loader.
 * One prelude for all executors is what makes a code action behave the same in an isolate,
 * a container or a hosted VM.
 *
 * `installPrelude` is serialised with `Function.prototype.toString` and evaluated inside the
 * sandbox, so it must not reference anything outside its own body (no imports, no helpers).
 * It captures the intrinsics it needs at install time, so code actions that overwrite
 * `JSON` or `Object` break only themselves.
 */

// The sandbox's global object is untyped by nature.
type SandboxGlobal = any;

function installPrelude(global: SandboxGlobal): void {
  const host = global.__actkit_host;
  delete global.__actkit_host;
  const { stringify, parse } = JSON;
  const { keys: objectKeys, getOwnPropertyDescriptor, getPrototypeOf, defineProperty, freeze } = Object;
  const isArray = Array.isArray;
  const indirectEval = global.eval;
  const MapCtor = Map;
  const SetCtor = Set;
  const DateCtor = Date;
  const RegExpCtor = RegExp;
  const ErrorCtor = Error;
  const mapEntries = Map.prototype.entries;
  const setValues = Set.prototype.values;
  const dateToISO = Date.prototype.toISOString;
  const regexpToString = RegExp.prototype.toString;
  const functionToString = Function.prototype.toString;

  const FINAL_ANSWER = freeze({ finalAnswer: true });
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

  // ── values → JSON (what may cross the boundary) ────────────────────────────────────────────
  const toJSONValue = (_key: string, value: unknown): unknown => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof MapCtor) return Object.fromEntries(mapEntries.call(value));
    if (value instanceof SetCtor) return [...setValues.call(value)];
    return value;
  };
  const toJSON = (value: unknown): string => stringify(value, toJSONValue);

  // ── inspect: readable text for any value, like a REPL shows it ─────────────────────────────
  const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  const keyText = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : quote(k));
  const wrap = (open: string, items: string[], close: string, indent: string): string => {
    if (items.length === 0) return `${open}${close}`;
    const oneLine = `${open} ${items.join(', ')} ${close}`;
    if (oneLine.length + indent.length <= LINE_WIDTH && !oneLine.includes('\n')) return oneLine;
    const inner = `${indent}  `;
    return `${open}\n${items.map((i) => inner + i).join(',\n')}\n${indent}${close}`;
  };
  const inspect = (value: unknown, depth: number, seen: unknown[], indent: string): string => {
    switch (typeof value) {
      case 'string':
        return depth === 0 ? value : quote(value);
      case 'number':
        return Object.is(value, -0) ? '-0' : String(value);
      case 'bigint':
        return `${value}n`;
      case 'undefined':
        return 'undefined';
      case 'boolean':
        return String(value);
      case 'symbol':
        return value.toString();
      case 'function': {
        const source = functionToString.call(value);
        return source.startsWith('class') ? `[class ${value.name || '(anonymous)'}]` : `[Function: ${value.name || '(anonymous)'}]`;
      }
    }
    if (value === null) return 'null';
    const object = value as object;
    if (seen.includes(object)) return '[Circular]';
    if (object instanceof DateCtor) return Number.isNaN(object.getTime()) ? 'Invalid Date' : dateToISO.call(object);
    if (object instanceof RegExpCtor) return regexpToString.call(object);
    if (object instanceof ErrorCtor) return object.stack || `${object.name}: ${object.message}`;
    if (object instanceof Promise) return 'Promise {}';
    if (depth > MAX_DEPTH) return isArray(object) ? '[Array]' : '[Object]';
    const next = [...seen, object];
    const child = (v: unknown) => inspect(v, depth + 1, next, `${indent}  `);
    if (isArray(object) || ArrayBuffer.isView(object)) {
      const list = object as unknown as ArrayLike<unknown>;
      const items: string[] = [];
      for (let i = 0; i < Math.min(list.length, MAX_ITEMS); i++) items.push(i in list ? child(list[i]) : '<empty>');
      if (list.length > MAX_ITEMS) items.push(`... ${list.length - MAX_ITEMS} more items`);
      const prefix = isArray(object) ? '' : `${object.constructor?.name ?? 'TypedArray'}(${list.length}) `;
      return prefix + wrap('[', items, ']', indent);
    }
    if (object instanceof MapCtor) {
      const items: string[] = [];
      for (const [k, v] of mapEntries.call(object)) {
        if (items.length === MAX_ITEMS) break;
        items.push(`${child(k)} => ${child(v)}`);
      }
      return wrap(`Map(${object.size}) {`, items, '}', indent);
    }
    if (object instanceof SetCtor) {
      const items: string[] = [];
      for (const v of setValues.call(object)) {
        if (items.length === MAX_ITEMS) break;
        items.push(child(v));
      }
      return wrap(`Set(${object.size}) {`, items, '}', indent);
    }
    const items: string[] = [];
    const names = objectKeys(object);
    for (const key of names.slice(0, MAX_ITEMS)) {
      // Getters are shown, not run: reading a property must not execute the model's code.
      const descriptor = getOwnPropertyDescriptor(object, key);
      const shown = descriptor && 'value' in descriptor ? child(descriptor.value) : '[Getter]';
      items.push(`${keyText(key)}: ${shown}`);
    }
    if (names.length > MAX_ITEMS) items.push(`... ${names.length - MAX_ITEMS} more properties`);
    const proto = getPrototypeOf(object);
    const ctorName = proto === null ? '[Object: null prototype]' : proto?.constructor?.name;
    const prefix = ctorName && ctorName !== 'Object' ? `${ctorName} ` : '';
    return prefix + wrap('{', items, '}', indent);
  };
  const show = (value: unknown) => inspect(value, 0, [], '');

  // ── the state of the action being run ──────────────────────────────────────────────────────
  let logs = '';
  let logsTruncated = false;
  let maxLogChars = 10_000;
  let finalAnswer: { value: unknown } | undefined;

  const appendLog = (text: string) => {
    if (logsTruncated) return;
    let piece = text;
    if (logs.length + piece.length > maxLogChars) {
      piece = piece.slice(0, Math.max(0, maxLogChars - logs.length));
      logsTruncated = true;
    }
    logs += piece;
    if (piece && host.log) host.log(piece);
  };
  const printer =
    (prefix: string) =>
    (...args: unknown[]) => {
      appendLog(`${prefix}${args.map(show).join(' ')}\n`);
    };
  const log = printer('');
  global.console = freeze({
    log,
    info: log,
    debug: log,
    trace: log,
    warn: printer(''),
    error: printer(''),
    dir: (value: unknown) => log(value),
    table: (value: unknown) => log(value),
  });
  global.print = log;

  global.final_answer = (value: unknown) => {
    let json: string | undefined;
    try {
      json = toJSON(value);
    } catch (error) {
      throw new TypeError(`final_answer(value): the value must be JSON-serialisable (${(error as Error).message}).`);
    }
    finalAnswer = { value: json === undefined ? undefined : parse(json) };
    throw FINAL_ANSWER;
  };

  // ── modules the user allowed ───────────────────────────────────────────────────────────────
  const modules: Record<string, unknown> = Object.create(null);
  global.__actkit_defineModule = (name: string, exports: unknown) => {
    modules[name] = exports;
  };
  global.__actkit_import = (specifier: string) => {
    if (specifier in modules) return modules[specifier];
    const allowed = objectKeys(modules);
    throw new ErrorCtor(
      `Cannot import "${specifier}": ${allowed.length > 0 ? `the allowed modules are ${allowed.join(', ')}` : 'no modules are allowed in this sandbox'}.`,
    );
  };

  const makeTool = (name: string) => {
    const call = (input?: unknown) => {
      let json: string;
      try {
        json = toJSON(input === undefined ? {} : input);
      } catch (error) {
        throw new TypeError(`${name}(): the arguments must be JSON-serialisable (${(error as Error).message}).`);
      }
      const reply = parse(host.callTool(name, json)) as { ok: true; value: unknown } | { ok: false; error: string };
      if (reply.ok) return reply.value;
      throw new ToolCallFailed(name, reply.error);
    };
    defineProperty(call, 'name', { value: name });
    return call;
  };

  // ── errors → what the model is told ────────────────────────────────────────────────────────
  const locate = (error: unknown, filename: string) => {
    const stack = error instanceof ErrorCtor && typeof error.stack === 'string' ? error.stack : '';
    const frames = stack.split('\n').filter((l) => l.includes(filename));
    const first = frames[0] ? new RegExpCtor(`${filename.replace(/\./g, '\\.')}:(\\d+)`).exec(frames[0]) : null;
    return {
      line: first ? Number(first[1]) : undefined,
      stack: frames.length > 0 ? frames.map((l) => l.trim()).join('\n') : undefined,
    };
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
    for (const name of request.tools) global[name] = makeTool(name);
    for (const name of request.declaredNames) if (!(name in global)) global[name] = undefined;

    const outcome: Record<string, unknown> = {};
    try {
      let run: () => Promise<unknown>;
      try {
        run = indirectEval(`(async function () {${request.code}\n})\n//# sourceURL=${request.filename}`);
      } catch (error) {
        const e = error as Error;
        outcome.error = { kind: 'syntax', name: e?.name ?? 'SyntaxError', message: String(e?.message ?? e) };
        return stringify({ logs, logsTruncated, ...outcome });
      }
      const value = await run();
      // Like a REPL: a string result is shown quoted, so '42' and 42 look different.
      if (value !== undefined) outcome.value = typeof value === 'string' ? quote(value) : show(value);
    } catch (error) {
      if (error !== FINAL_ANSWER && !finalAnswer) {
        const where = locate(error, request.filename);
        const isError = error instanceof ErrorCtor;
        outcome.error = {
          kind: error instanceof ToolCallFailed ? 'tool' : 'runtime',
          name: isError ? error.name : 'Uncaught',
          message: isError ? error.message : show(error),
          ...(where.line ? { line: where.line } : {}),
          ...(where.stack ? { stack: where.stack } : {}),
          ...(error instanceof ToolCallFailed ? { toolName: error.toolName } : {}),
        };
      }
    }
    if (finalAnswer) outcome.finalAnswer = finalAnswer;
    return stringify({ logs, logsTruncated, ...outcome });
  };
}

/** The prelude as source text, ready to evaluate in a fresh sandbox global (after `__actkit_host` is set). */
// `__name` is bound to a no-op because tools that keep function names (tsx, esbuild's keepNames) insert calls to it.
export const SANDBOX_PRELUDE = `((__name) => (${installPrelude.toString()})(globalThis))((f) => f);`;
