import { describe, expect, it } from 'vitest';
import { CodeSyntaxError, compileAction } from '../src/index.js';

describe('compileAction', () => {
  it('turns top-level declarations into persistent names, keeping lines aligned', async () => {
    const source = 'const a = 1, { b, c: [d] } = obj;\nlet e;\nfunction f() { return a; }\nclass G {}\na + e';
    const out = await compileAction(source);
    expect(out.declaredNames.sort()).toEqual(['G', 'a', 'b', 'd', 'e', 'f']);
    expect(out.code.split('\n')).toHaveLength(source.split('\n').length);
    expect(out.code).toContain('return (a + e)');
    expect(out.code).toMatch(/^globalThis\["f"\] = f;/);
  });

  it('leaves nested declarations alone', async () => {
    const out = await compileAction('for (const x of [1]) { const y = x; }\nif (true) { let z = 1; }');
    expect(out.declaredNames).toEqual([]);
  });

  it('strips TypeScript', async () => {
    const out = await compileAction('interface A { x: number }\nconst a = { x: 1 } as A;\nenum Color { Red }\nlet n: number = a.x!;');
    expect(out.code).not.toMatch(/interface|as A|: number/);
    expect(out.declaredNames).toEqual(expect.arrayContaining(['a', 'n', 'Color']));
  });

  it('reads a call with type arguments as TypeScript, although it also parses as JavaScript', async () => {
    // Plain JavaScript skips the TypeScript pass; `f<T>(x)` would read as `(f < T) > x` there.
    const generic = await compileAction('const s = new Set<string>(["a"]);\nconst n = identity<number, string>(5);\nn');
    expect(generic.code).toContain('new Set(["a"])');
    expect(generic.code).toContain('identity(5)');
    const tagged = await compileAction('const t = tag<string>`x`;\nt');
    expect(tagged.code).toContain('tag`x`');
    // A comment between the type arguments and the call changes nothing.
    const commented = await compileAction('const a = identity<number> /* why */ (5);\nconst b = identity<number> // why\n(6);\n[a, b]');
    expect(commented.code).toContain('a = identity /* why */ (5)');
    expect(commented.code).toMatch(/b = identity \/\/ why\n\(6\)/);
    const plain = 'const f = (x) => x * 2;\nlet total = 0;\nfor (let i = 0; i < 3; i++) total += f(i);\ntotal';
    expect((await compileAction(plain)).code).toContain('for (let i = 0; i < 3; i++) total += f(i);');
  });

  it('rewrites imports to the sandbox module loader', async () => {
    const out = await compileAction('import _ from "lodash";\nimport { format as f } from "date-fns";\nimport * as ns from "x";');
    expect(out.imports).toEqual(['lodash', 'date-fns', 'x']);
    expect(out.declaredNames).toEqual(['_', 'f', 'ns']);
    expect(out.code).toContain('_ = __actkit_import("lodash").default');
    expect(out.code).toContain('f = __actkit_import("date-fns")["format"]');
  });

  it('rewrites dynamic import() to the sandbox module loader', async () => {
    const out = await compileAction('const m = await import("lodash");\nconst n = await import(name);');
    expect(out.imports).toEqual(['lodash']);
    expect(out.code).toContain('m = await __actkit_dynamicImport("lodash")');
    expect(out.code).toContain('n = await __actkit_dynamicImport(name)');
  });

  it('reports syntax errors with the line of the model code', async () => {
    const error = await compileAction('const a = 1;\n\nconst = 2;').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CodeSyntaxError);
    expect((error as CodeSyntaxError).line).toBe(3);
  });

  it('strips every TypeScript form a model writes, keeping lines aligned', async () => {
    const source = [
      'enum Color { Red, Green = "g" }',
      'const enum Flag { A = 1 }',
      'function id<T extends object>(x: T): T { return x }',
      'const cfg = { a: 1 } satisfies Record<string, number>;',
      'const n = cfg.a! + (<number>cfg.a) + (cfg.a as unknown as number);',
      'class P<T> { constructor(private readonly x: T, public y = 2) {} get both(): [T, number] { return [this.x, this.y] } }',
      'abstract class Q { abstract f(): void }',
      'import type { Foo } from "foo";',
      'declare const g: number;',
      'let later!: number;',
      'type Pair = [string, number];',
      'const xs = [1, 2] as const;',
      'const guard = (v: unknown): v is string => typeof v === "string";',
      'Color.Green',
    ].join('\n');
    const out = await compileAction(source);
    expect(out.code.split('\n')).toHaveLength(source.split('\n').length);
    expect(out.code).not.toMatch(/satisfies|<T|: number|as const|as unknown|import type|declare|private readonly/);
    expect(out.declaredNames.sort()).toEqual(['Color', 'Flag', 'P', 'Q', 'cfg', 'guard', 'id', 'later', 'n', 'xs']);
    expect(out.imports).toEqual([]);
    // The enum's object is rebuilt by its own code: a later step can declare it again.
    expect(out.code).toContain('( Color = undefined)');
    expect(out.code.split('\n').at(-1)).toBe('return (Color.Green)');
  });

  it('refuses a TypeScript namespace (sucrase would drop its values) with its line', async () => {
    await expect(compileAction('const a = 1;\nnamespace NS { export const b = 2 }\nNS.b')).rejects.toThrow(
      expect.objectContaining({ name: 'SyntaxError', line: 2, message: expect.stringMatching(/namespaces are not supported/) }),
    );
    // `declare namespace` is a type only, and goes away like other types.
    expect((await compileAction('declare namespace X { const y: number }\n1')).code).toContain('return (1)');
  });

  it('turns only a trailing expression statement into the value, like a REPL', async () => {
    expect((await compileAction('const a = 1;\na + 1;')).code).toContain('return (a + 1)');
    expect((await compileAction('let b = 2')).code).not.toContain('return');
    expect((await compileAction('"use strict"')).code).not.toContain('return');
    expect((await compileAction('if (true) { 1 }')).code).not.toContain('return');
    // A sequence keeps its meaning inside the parentheses.
    expect((await compileAction('1, 2')).code).toBe('return (1, 2)');
  });

  it('takes a parenthesised trailing expression whole (an object literal is shown as `({ a: 1 })`)', async () => {
    const valueOf = async (source: string) => new Function((await compileAction(source)).code)() as unknown;
    expect(await valueOf('({ a: 1 })')).toEqual({ a: 1 });
    expect(await valueOf('const a = 2;\n(a);')).toBe(2);
    expect(await valueOf('((1) + 2) * 3')).toBe(9);
    expect(await valueOf('(1, 2) /* the last */ ;')).toBe(2);
    expect(await valueOf('((() => 4))()')).toBe(4);
  });

  it('keeps a syntax error on the line of the model code, also past imports and TypeScript', async () => {
    const fail = async (code: string) => {
      try {
        await compileAction(code);
      } catch (e) {
        return e as CodeSyntaxError;
      }
      throw new Error('no syntax error');
    };
    expect((await fail('import _ from "lodash";\ninterface A {\n  x: number\n}\nconst b = (;')).line).toBe(5);
    expect((await fail('const x: number = 1;\nlet y = {')).line).toBe(2);
    expect((await fail('export const a = 1;')).message).toMatch(/export/);
  });
});
