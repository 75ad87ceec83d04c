import { bundleModules, CodeAgent } from '@actkit/code-actions';
import { ScriptedModel } from '@actkit/testing';
import { describe, expect, it } from 'vitest';
import { QuickJSExecutor } from '../src/index.js';

describe('QuickJS: allowed modules, as the local executor has them', { timeout: 120_000 }, () => {
  it('imports the allowed pure-JS packages (static and dynamic import), keeps them across steps, refuses others', async () => {
    const executor = new QuickJSExecutor({ modules: ['lodash', 'date-fns'] });
    try {
      const r = await executor.execute(
        'import _ from "lodash";\nimport { format, addDays } from "date-fns";\nconsole.log(_.chunk([1, 2, 3, 4, 5], 2), format(addDays(new Date(2026, 0, 30), 3), "yyyy-MM-dd"))',
        { tools: [] },
      );
      expect(r.error).toBeUndefined();
      expect(r.logs).toBe('[ [ 1, 2 ], [ 3, 4 ], [ 5 ] ] 2026-02-02\n');
      const later = await executor.execute('const { differenceInDays } = await import("date-fns");\n[_.max([3, 9, 2]), differenceInDays(new Date(2026, 1, 1), new Date(2026, 0, 1))]', { tools: [] });
      expect(later.value).toBe('[ 9, 31 ]');
      const refused = await executor.execute('import fs from "node:fs"', { tools: [] });
      expect(refused.error?.message).toBe('Cannot import "node:fs": the allowed modules are lodash, date-fns.');
    } finally {
      await executor.close();
    }
  });

  it('takes modules bundled beforehand (for runtimes without esbuild), and lists them in the CodeAgent prompt', async () => {
    const moduleScripts = await bundleModules(['lodash'], process.cwd());
    const executor = new QuickJSExecutor({ moduleScripts });
    expect(executor.modules).toEqual(['lodash']);
    const model = new ScriptedModel(['<code>import _ from "lodash";\nfinal_answer(_.sum([1, 2, 3]))</code>']);
    const result = await new CodeAgent({ model, tools: [], executor }).run('sum');
    expect(result.output).toBe(6);
    expect(model.calls[0]!.messages[0]!.content).toContain('You may import only these modules: lodash.');
    await executor.close();
  });

  it('fails clearly for a module that is not installed', async () => {
    const missing = new QuickJSExecutor({ modules: ['no-such-package-xyz'] });
    await expect(missing.execute('1', { tools: [] })).rejects.toThrow(/"no-such-package-xyz" is not installed/);
    await missing.close();
  });
});
