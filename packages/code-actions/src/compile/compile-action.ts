import * as acorn from 'acorn';

/**
 * Turns the code a model wrote into the body of an async function that every sandbox runs the
 * same way. What it does, and why:
 *
 * - TypeScript annotations, interfaces and `as` casts are stripped (sucrase keeps line numbers,
 *   so errors still point at the model's lines).
 * - Top-level `const`/`let`/`var`/`class` become assignments to globals, and top-level functions
 *   are also copied to globals: names persist into the next step, and a later step may declare
 *   the same name again (a REPL's semantics, which is what models expect).
 * - `import x from "pkg"` and `import("pkg")` become calls to the sandbox's module loader, which
 *   only knows the packages the user allowed.
 * - A trailing expression becomes the return value, shown to the model like a REPL shows it.
 *
 * Every edit keeps line breaks where they were, so line N of the output is line N of the input.
 */

export interface CompiledAction {
  /** The body of an async function (top-level `await` works), lines aligned with the input. */
  code: string;
  /** Top-level names the code declares; they become persistent globals. */
  declaredNames: string[];
  /** Module specifiers the code imports (static and literal dynamic imports). */
  imports: string[];
}

/** The model's code does not parse. `line` is 1-based, in the model's code. */
export class CodeSyntaxError extends Error {
  override readonly name = 'SyntaxError';
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

// The sandbox functions that load an allowed module, for `import` and for `import()`.
import { DYNAMIC_IMPORT_FUNCTION, IMPORT_FUNCTION } from '../sandbox/contract.js';

export { DYNAMIC_IMPORT_FUNCTION, IMPORT_FUNCTION };

type Node = acorn.AnyNode;

interface Edit {
  start: number;
  end: number;
  text: string;
}

export async function compileAction(source: string): Promise<CompiledAction> {
  const { js, program } = await parseAsJavaScriptOrTypeScript(source);
  const edits: Edit[] = [];
  const declared = new Set<string>();
  const imports = new Set<string>();
  const hoisted: string[] = [];

  for (const statement of program.body) {
    switch (statement.type) {
      case 'VariableDeclaration':
        rewriteDeclaration(statement, edits, declared);
        break;
      case 'FunctionDeclaration': {
        // Keep the declaration (it is hoisted within the step) and publish it before anything runs.
        const name = statement.id.name;
        declared.add(name);
        hoisted.push(`globalThis[${JSON.stringify(name)}] = ${name};`);
        break;
      }
      case 'ClassDeclaration': {
        const name = statement.id.name;
        declared.add(name);
        edits.push({ start: statement.start, end: statement.start, text: `${name} = ` });
        edits.push({ start: statement.end, end: statement.end, text: ';' });
        break;
      }
      case 'ImportDeclaration':
        rewriteImport(statement, js, edits, declared, imports);
        break;
      case 'ExportNamedDeclaration':
      case 'ExportDefaultDeclaration':
      case 'ExportAllDeclaration':
        throw new CodeSyntaxError(
          '`export` has no meaning in a code action: declare the value, or pass it to final_answer().',
          lineOf(js, statement.start),
        );
      default:
        break;
    }
  }

  const last = program.body.at(-1);
  // A lone string is a directive to the parser but a value to a REPL; only 'use strict' is kept as a directive.
  if (last?.type === 'ExpressionStatement' && !('directive' in last && last.directive === 'use strict')) {
    // From the statement's start: a parenthesised expression — `({ a: 1 })`, the way to show an
    // object literal — starts after its parentheses, and `return (` there would land inside them.
    edits.push({ start: last.start, end: last.start, text: 'return (' });
    edits.push({ start: last.expression.end, end: last.expression.end, text: ')' });
  }

  rewriteDynamicImports(program, edits, imports);
  let code = applyEdits(js, edits);
  if (hoisted.length > 0) code = hoisted.join(' ') + ' ' + code;
  return { code, declaredNames: [...declared], imports: [...imports] };
}

/**
 * Most code a model writes is plain JavaScript: parsed as it is, it skips the TypeScript pass
 * (sucrase), a third of the host's work on a short action. TypeScript that is not valid
 * JavaScript fails that parse and goes through sucrase. The one TypeScript that also parses as
 * JavaScript, with another meaning, is type arguments — `f<T>(x)` reads as `(f < T) > x`, and
 * likewise before a template or a line break — so code with a `<` and a `>` followed by `(`, a
 * backtick or a line break (comments between them skipped) takes the TypeScript path whatever it
 * is. Comparisons such as `i < n` and `a > b` do not (most code a model writes has them).
 */
async function parseAsJavaScriptOrTypeScript(source: string): Promise<{ js: string; program: acorn.Program }> {
  if (!mayHaveTypeArguments(source)) {
    const program = tryParse(source);
    if (program) return { js: source, program };
  }
  const js = stripTypes(source, await loadTypeScriptTransform());
  return { js, program: parse(js) };
}

type Transform = typeof import('sucrase').transform;
let typeScriptTransform: Promise<Transform> | undefined;
/**
 * sucrase, loaded by the first code that needs the TypeScript pass rather than with this module:
 * it takes about as long to load as the rest of `@actkit/code-actions` (~65 ms). A process pays
 * for it once, at the first action that needs it, and one that never compiles TypeScript (or type
 * arguments) never does.
 */
const loadTypeScriptTransform = (): Promise<Transform> =>
  (typeScriptTransform ??= import('sucrase').then(
    (sucrase) => sucrase.transform,
    (error: unknown) => {
      // Tried again by the next code that needs it (an install being repaired, say).
      typeScriptTransform = undefined;
      throw error;
    },
  ));

function mayHaveTypeArguments(source: string): boolean {
  if (!source.includes('<')) return false;
  for (let at = source.indexOf('>'); at >= 0; at = source.indexOf('>', at + 1)) {
    if (source.charCodeAt(at - 1) === 61 /* = */) continue; // `=>`
    const next = nextTokenAt(source, at + 1);
    const c = source.charCodeAt(next);
    const lineComment = c === 47 /* / */ && source.charCodeAt(next + 1) === 47; // a line break follows it
    if (c === 40 /* ( */ || c === 96 /* ` */ || c === 10 /* \n */ || c === 13 /* \r */ || lineComment) return true;
  }
  return false;
}

/** Where the next token starts from `at`: past spaces, tabs and block comments (a comment between `f<T>` and `(x)` leaves it a call). */
function nextTokenAt(source: string, at: number): number {
  for (;;) {
    const c = source.charCodeAt(at);
    if (c === 32 /* space */ || c === 9 /* tab */) at++;
    else if (c === 47 /* / */ && source.charCodeAt(at + 1) === 42 /* * */) {
      const end = source.indexOf('*/', at + 2);
      if (end < 0) return source.length;
      at = end + 2;
    } else return at;
  }
}

/** sucrase drops `namespace X { … }` whole, values included: refuse it rather than lose code silently. */
const NAMESPACE = /^[ \t]*(?:export[ \t]+)?(?:namespace|module)[ \t]+[A-Za-z_$][\w$.]*[ \t]*\{/m;

function stripTypes(source: string, transform: Transform): string {
  const namespace = NAMESPACE.exec(source);
  if (namespace) {
    throw new CodeSyntaxError(
      'TypeScript namespaces are not supported in code actions: use a plain object (const NS = { ... }) instead.',
      lineOf(source, namespace.index + namespace[0].search(/\S/)),
    );
  }
  try {
    return transform(source, {
      transforms: ['typescript'],
      disableESTransforms: true,
      keepUnusedImports: true,
    }).code;
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    const at = /\((\d+):(\d+)\)/.exec(message);
    throw new CodeSyntaxError(
      message.replace(/\s*\(\d+:\d+\)\s*$/, ''),
      at ? Number(at[1]) : undefined,
      at ? Number(at[2]) + 1 : undefined,
    );
  }
}

const PARSE_OPTIONS = {
  ecmaVersion: 'latest' as const,
  allowAwaitOutsideFunction: true,
  allowReturnOutsideFunction: true,
  allowHashBang: true,
  locations: true,
};

/** The program, as `parse` reads it, or undefined where `parse` would throw. */
function tryParse(js: string): acorn.Program | undefined {
  try {
    return acorn.parse(js, { ...PARSE_OPTIONS, sourceType: 'module' });
  } catch {
    try {
      return acorn.parse(js, { ...PARSE_OPTIONS, sourceType: 'script' });
    } catch {
      return undefined;
    }
  }
}

function parse(js: string): acorn.Program {
  const options = PARSE_OPTIONS;
  try {
    // Module syntax first, so `import` declarations parse; code that is only valid as a
    // sloppy script (e.g. `with`, legacy octals) falls back to script parsing.
    return acorn.parse(js, { ...options, sourceType: 'module' });
  } catch (moduleError) {
    try {
      return acorn.parse(js, { ...options, sourceType: 'script' });
    } catch {
      const error = moduleError as SyntaxError & { loc?: { line: number; column: number } };
      throw new CodeSyntaxError(
        error.message.replace(/\s*\(\d+:\d+\)\s*$/, ''),
        error.loc?.line,
        error.loc ? error.loc.column + 1 : undefined,
      );
    }
  }
}

/** `const {a, b: [c]} = x, d = 1;` → `;({a, b: [c]} = x, d = 1);` with names a, c, d declared. */
function rewriteDeclaration(node: acorn.VariableDeclaration, edits: Edit[], declared: Set<string>): void {
  const keywordEnd = node.start + node.kind.length;
  edits.push({ start: node.start, end: keywordEnd, text: ';(' });
  for (const declarator of node.declarations) {
    for (const name of patternNames(declarator.id)) declared.add(name);
    if (!declarator.init) edits.push({ start: declarator.id.end, end: declarator.id.end, text: ' = undefined' });
  }
  const lastDeclarator = node.declarations.at(-1)!;
  edits.push({ start: lastDeclarator.end, end: lastDeclarator.end, text: ')' });
}

/** `import _ from "lodash"` → `_ = __actkit_import("lodash").default;` and friends. */
function rewriteImport(
  node: acorn.ImportDeclaration,
  js: string,
  edits: Edit[],
  declared: Set<string>,
  imports: Set<string>,
): void {
  const specifier = String(node.source.value);
  imports.add(specifier);
  const load = `${IMPORT_FUNCTION}(${JSON.stringify(specifier)})`;
  const parts: string[] = [];
  for (const spec of node.specifiers) {
    const local = spec.local.name;
    declared.add(local);
    if (spec.type === 'ImportDefaultSpecifier') parts.push(`${local} = ${load}.default`);
    else if (spec.type === 'ImportNamespaceSpecifier') parts.push(`${local} = ${load}`);
    else {
      const imported = spec.imported.type === 'Identifier' ? spec.imported.name : String(spec.imported.value);
      parts.push(`${local} = ${load}[${JSON.stringify(imported)}]`);
    }
  }
  if (parts.length === 0) parts.push(load);
  // Keep the newlines the import spanned, so later lines keep their numbers.
  const newlines = js.slice(node.start, node.end).split('\n').length - 1;
  edits.push({ start: node.start, end: node.end, text: `${parts.join('; ')};${'\n'.repeat(newlines)}` });
}

/** `import("lodash")` → `__actkit_dynamicImport("lodash")`: the same loader, as a promise. */
function rewriteDynamicImports(program: acorn.Program, edits: Edit[], imports: Set<string>): void {
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    const n = node as Node;
    if (n.type === 'ImportExpression') {
      edits.push({ start: n.start, end: n.start + 'import'.length, text: DYNAMIC_IMPORT_FUNCTION });
      if (n.source.type === 'Literal' && typeof n.source.value === 'string') imports.add(n.source.value);
    }
    for (const key of Object.keys(n)) {
      if (key !== 'loc') visit((n as unknown as Record<string, unknown>)[key]);
    }
  };
  visit(program.body);
}

function patternNames(pattern: acorn.Pattern): string[] {
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name];
    case 'ObjectPattern':
      return pattern.properties.flatMap((p) => (p.type === 'RestElement' ? patternNames(p.argument) : patternNames(p.value)));
    case 'ArrayPattern':
      return pattern.elements.flatMap((e) => (e ? patternNames(e) : []));
    case 'RestElement':
      return patternNames(pattern.argument);
    case 'AssignmentPattern':
      return patternNames(pattern.left);
    default:
      return [];
  }
}

function applyEdits(text: string, edits: Edit[]): string {
  // Stable sort by position: insertions at the same point keep the order they were made in.
  const sorted = edits.map((e, i) => ({ ...e, i })).sort((a, b) => a.start - b.start || a.i - b.i);
  let out = '';
  let at = 0;
  for (const edit of sorted) {
    out += text.slice(at, edit.start) + edit.text;
    at = Math.max(at, edit.end);
  }
  return out + text.slice(at);
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
