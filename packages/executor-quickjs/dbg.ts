import { QuickJSExecutor } from '/work/wt/quickjs/packages/executor-quickjs/src/index.ts';
const ex = new QuickJSExecutor({ memoryLimitMb: 64 });
console.log(await ex.execute('const m = new Map();\nfor (let i = 0; ; i++) m.set(i, { i, a: [i, i], s: String(i) })', { tools: [], timeoutMs: 20000 }));
