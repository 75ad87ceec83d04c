/**
 * The page side of browser.test.ts: the QuickJS executor in a browser page, with the single-file
 * browser build of QuickJS (its WebAssembly inlined) and tools defined in the page.
 */
import variant from '@jitl/quickjs-singlefile-browser-release-asyncify';
import type { SandboxTool } from '@actkit/code-actions';
import { QuickJSExecutor, type QuickJSAsyncVariant } from '../../src/index.js';

async function runScenario(): Promise<Record<string, unknown>> {
  const executor = new QuickJSExecutor({ variant: variant as QuickJSAsyncVariant, timeoutMs: 1000, memoryLimitMb: 32 });
  const tools: SandboxTool[] = [
    { name: 'add', call: async (input) => (input as { a: number; b: number }).a + (input as { a: number; b: number }).b },
    { name: 'slow', call: () => new Promise((resolve) => setTimeout(() => resolve('slow done'), 20)) },
  ];
  const run = (code: string, extra: { timeoutMs?: number; filename?: string } = {}) => executor.execute(code, { tools, ...extra });
  const out: Record<string, unknown> = {};
  out.userAgent = (globalThis as unknown as { navigator: { userAgent: string } }).navigator.userAgent;
  out.tools = await run('const direct = add({ a: 1, b: 2 });\nconst awaited = await add({ a: 3, b: 4 });\nconsole.log(direct, awaited, await slow(), [1, 2].map((n) => add({ a: n, b: n })))');
  out.define = await run('const kept = { n: 41 };');
  out.persisted = await run('interface Kept { n: number }\n(kept as Kept).n + 1');
  out.error = await run('const a = 1;\nnull.x', { filename: 'step-2.js' });
  out.loop = await run('await slow();\nwhile (true) {}');
  out.afterLoop = await run('typeof kept');
  out.memory = await run('const xs = [];\nfor (;;) xs.push(new Array(1e5).fill(1))', { timeoutMs: 60_000 });
  out.answer = await run('final_answer({ total: (1234.5).toLocaleString() })');
  await executor.close();
  return JSON.parse(JSON.stringify(out));
}

(globalThis as { runScenario?: typeof runScenario }).runScenario = runScenario;
