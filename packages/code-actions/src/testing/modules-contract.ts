import type { CodeExecutor } from '@actkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export interface ModulesContractOptions {
  /**
   * Makes the executor under test allowing `modules`, resolved from `resolveFrom` (a folder where
   * lodash and date-fns are installed). With `modules: []`, one that allows none.
   */
  create(modules: string[]): CodeExecutor | Promise<CodeExecutor>;
  /** Per-test timeout for vitest (default 60 s). */
  testTimeoutMs?: number;
}

/**
 * Allowed modules, the same on every executor: the listed pure-JS packages can be imported
 * (statically or with `import()`), stay imported across actions, and anything else fails with
 * the same message. Needs `lodash` and `date-fns` installed where the executor resolves modules.
 */
export function describeModulesContract(name: string, options: ModulesContractOptions): void {
  describe(`allowed modules: ${name}`, { timeout: options.testTimeoutMs ?? 60_000 }, () => {
    let executor: CodeExecutor;
    let bare: CodeExecutor;
    beforeAll(async () => {
      executor = await options.create(['lodash', 'date-fns']);
      bare = await options.create([]);
    }, options.testTimeoutMs ?? 60_000);
    afterAll(async () => {
      await Promise.all([executor?.close(), bare?.close()]);
    });

    it('lists them for the prompt', () => {
      expect(executor.modules).toEqual(['lodash', 'date-fns']);
    });

    it('imports the allowed packages and refuses others, naming the allowed ones', async () => {
      const r = await executor.execute(
        'import _ from "lodash";\nimport { format, addDays } from "date-fns";\nconsole.log(_.chunk([1, 2, 3, 4, 5], 2), format(addDays(new Date(2026, 0, 30), 3), "yyyy-MM-dd"))',
        { tools: [] },
      );
      expect(r.error).toBeUndefined();
      expect(r.logs).toBe('[ [ 1, 2 ], [ 3, 4 ], [ 5 ] ] 2026-02-02\n');
      const refused = await executor.execute('import fs from "node:fs"', { tools: [] });
      expect(refused.error?.message).toBe('Cannot import "node:fs": the allowed modules are lodash, date-fns.');
    });

    it('keeps an import across actions, loads one with import(), and has them again after the state was lost', async () => {
      const r = await executor.execute('const { differenceInDays } = await import("date-fns");\n[_.max([3, 9, 2]), differenceInDays(new Date(2026, 1, 1), new Date(2026, 0, 1))]', { tools: [] });
      expect(r.error).toBeUndefined();
      expect(r.value).toBe('[ 9, 31 ]');
      const stopped = await executor.execute('while (true) {}', { tools: [], timeoutMs: 1500 });
      expect(stopped.stateLost).toBe(true);
      const again = await executor.execute('import _ from "lodash";\n_.sum([1, 2, 3])', { tools: [] });
      expect(again.error).toBeUndefined();
      expect(again.value).toBe('6');
    });

    it('allows none unless asked', async () => {
      const none = await bare.execute('import("lodash")', { tools: [] });
      expect(none.error?.message).toBe('Cannot import "lodash": no modules are allowed in this sandbox.');
    });
  });
}
