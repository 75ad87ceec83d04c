import { LocalExecutor } from '../src/index.ts';
import { countingEcho } from './workloads.ts';
const code = 'let n = 0;\nfor (let i = 0; i < 1000; i++) n += echo({ i }).i;\nn';
for (const kind of ['synchronous', 'async', 'synchronous', 'async'] as const) {
  const tool = countingEcho(kind);
  const fresh = new LocalExecutor({ mode: 'in-process' });
  await fresh.execute('0', { tools: [] });
  const times = [];
  for (let i = 0; i < 8; i++) {
    tool.reset();
    const t = performance.now();
    const r = await fresh.execute(code, { tools: [tool.tool] });
    times.push((performance.now() - t).toFixed(1));
    if (r.value !== '499500' || tool.calls() !== 1000) throw new Error('bad');
  }
  console.log(kind, times.join(' '));
  await fresh.close();
}
