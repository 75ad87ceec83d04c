import { CodeAgent } from '@actkit/code-actions';
import { ScriptedModel } from '@actkit/testing';
import { describe, expect, it } from 'vitest';
import { LocalExecutor } from '../src/index.js';

const code = 'import _ from "lodash";\nimport { format, addDays } from "date-fns";\nconsole.log(_.chunk([1, 2, 3, 4, 5], 2), format(addDays(new Date(2026, 0, 30), 3), "yyyy-MM-dd"))';

describe('allowed modules', () => {
  for (const mode of ['in-process', 'child-process'] as const) {
    it(`imports the allowed pure-JS packages and refuses others (${mode})`, { timeout: 60_000 }, async () => {
      const executor = new LocalExecutor({ mode, modules: ['lodash', 'date-fns'] });
      try {
        const r = await executor.execute(code, { tools: [] });
        expect(r.error).toBeUndefined();
        expect(r.logs).toBe('[ [ 1, 2 ], [ 3, 4 ], [ 5 ] ] 2026-02-02\n');
        const refused = await executor.execute('import fs from "node:fs"', { tools: [] });
        expect(refused.error?.message).toBe('Cannot import "node:fs": the allowed modules are lodash, date-fns.');
      } finally {
        await executor.close();
      }
    });
  }

  it('keeps an imported module across steps, and loads one with import() too', async () => {
    const executor = new LocalExecutor({ mode: 'in-process', modules: ['lodash', 'date-fns'] });
    try {
      await executor.execute('import _ from "lodash";', { tools: [] });
      const r = await executor.execute('const { differenceInDays } = await import("date-fns");\n[_.max([3, 9, 2]), differenceInDays(new Date(2026, 1, 1), new Date(2026, 0, 1))]', { tools: [] });
      expect(r.error).toBeUndefined();
      expect(r.value).toBe('[ 9, 31 ]');
      const refused = await executor.execute('await import("child_process")', { tools: [] });
      expect(refused.error).toMatchObject({ kind: 'runtime', message: 'Cannot import "child_process": the allowed modules are lodash, date-fns.' });
      const bare = new LocalExecutor({ mode: 'in-process' });
      const none = await bare.execute('import("lodash")', { tools: [] });
      await bare.close();
      expect(none.error?.message).toBe('Cannot import "lodash": no modules are allowed in this sandbox.');
    } finally {
      await executor.close();
    }
  });

  it('shows the allowed modules in the CodeAgent prompt, and fails clearly for a module that is not installed', async () => {
    const executor = new LocalExecutor({ modules: ['lodash'] });
    const model = new ScriptedModel(['<code>final_answer(1)</code>']);
    await new CodeAgent({ model, tools: [], executor }).run('go');
    expect(model.calls[0]!.messages[0]!.content).toContain('You may import only these modules: lodash.');
    await executor.close();
    const missing = new LocalExecutor({ modules: ['no-such-package-xyz'] });
    await expect(missing.execute('1', { tools: [] })).rejects.toThrow(/"no-such-package-xyz" is not installed/);
    await missing.close();
  });
});
