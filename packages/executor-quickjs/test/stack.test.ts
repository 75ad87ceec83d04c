import { describe, expect, it } from 'vitest';
import { QuickJSExecutor } from '../src/index.js';

const recursion = (depth: number) =>
  `function depthOf(n) { return n === 0 ? 0 : 1 + depthOf(n - 1); }\nlet reached;\ntry { reached = depthOf(${depth}); } catch (error) { reached = error.name + ': ' + error.message; }\nreached`;

describe('QuickJS: recursion and the host thread’s stack', { timeout: 120_000 }, () => {
  it('runs deep recursion, and throws a catchable error past the stack limit, also once V8 has optimized the interpreter', async () => {
    // Enough calls for V8 to optimize QuickJS's interpreter loop. On Node 20 its optimized frame
    // was so large that ~20 nested calls overflowed the host's stack in every sandbox made after.
    const warm = new QuickJSExecutor();
    const warmed = await warm.execute('let total = 0;\nfor (let i = 0; i < 200000; i++) total += (function add(n) { return n === 0 ? 0 : 1 + add(n - 1); })(20);\ntotal', { tools: [] });
    expect(warmed.value).toBe('4000000');
    await warm.close();

    const executor = new QuickJSExecutor();
    try {
      await executor.execute('const kept = "still here"', { tools: [] });
      expect((await executor.execute(recursion(1000), { tools: [] })).value).toBe('1000');
      const overflow = await executor.execute(recursion(1_000_000), { tools: [] });
      expect(overflow.error).toBeUndefined();
      expect(overflow.value).toBe("'InternalError: stack overflow'");
      // The overflow was the code's own error: the sandbox and its names are intact.
      expect((await executor.execute('kept', { tools: [] })).value).toBe("'still here'");
    } finally {
      await executor.close();
    }
  });
});
