import { CodeAgent } from '@actkit/code-actions';
import { ScriptedModel } from '@actkit/testing';
import { describe, expect, it } from 'vitest';
import { LocalExecutor } from '../src/index.js';

const code = 'import _ from "lodash";\nimport { format, addDays } from "date-fns";\nconsole.log(_.chunk([1, 2, 3, 4, 5], 2), format(addDays(new Date(2026, 0, 30), 3), "yyyy-MM-dd"))';

describe('allowed modules', () => {
  for (const mode of ['in-process', 'child-process'] as const) {
    it(`imports the allowed pure-JS packages and refuses others (${mode})`, async () => {
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
