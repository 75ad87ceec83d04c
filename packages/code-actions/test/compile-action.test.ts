import { describe, expect, it } from 'vitest';
import { CodeSyntaxError, compileAction } from '../src/index.js';

describe('compileAction', () => {
  it('turns top-level declarations into persistent names, keeping lines aligned', () => {
    const source = 'const a = 1, { b, c: [d] } = obj;\nlet e;\nfunction f() { return a; }\nclass G {}\na + e';
    const out = compileAction(source);
    expect(out.declaredNames.sort()).toEqual(['G', 'a', 'b', 'd', 'e', 'f']);
    expect(out.code.split('\n')).toHaveLength(source.split('\n').length);
    expect(out.code).toContain('return (a + e)');
    expect(out.code).toMatch(/^globalThis\["f"\] = f;/);
  });

  it('leaves nested declarations alone', () => {
    const out = compileAction('for (const x of [1]) { const y = x; }\nif (true) { let z = 1; }');
    expect(out.declaredNames).toEqual([]);
  });

  it('strips TypeScript', () => {
    const out = compileAction('interface A { x: number }\nconst a = { x: 1 } as A;\nenum Color { Red }\nlet n: number = a.x!;');
    expect(out.code).not.toMatch(/interface|as A|: number/);
    expect(out.declaredNames).toEqual(expect.arrayContaining(['a', 'n', 'Color']));
  });

  it('rewrites imports to the sandbox module loader', () => {
    const out = compileAction('import _ from "lodash";\nimport { format as f } from "date-fns";\nimport * as ns from "x";');
    expect(out.imports).toEqual(['lodash', 'date-fns', 'x']);
    expect(out.declaredNames).toEqual(['_', 'f', 'ns']);
    expect(out.code).toContain('_ = __actkit_import("lodash").default');
    expect(out.code).toContain('f = __actkit_import("date-fns")["format"]');
  });

  it('reports syntax errors with the line of the model code', () => {
    const error = (() => {
      try {
        compileAction('const a = 1;\n\nconst = 2;');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CodeSyntaxError);
    expect((error as CodeSyntaxError).line).toBe(3);
  });
});
