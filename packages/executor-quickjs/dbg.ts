import { QuickJSExecutor } from '/work/wt/quickjs/packages/executor-quickjs/src/index.ts';
const tools = [{ name: 'add', call: async (i: any) => i.a + i.b }];
const ex = new QuickJSExecutor();
for (const code of ['add({a:1,b:2})', 'const d = add({a:1,b:2}); console.log("direct", d);', 'console.log("direct", add({a:1,b:2}));', 'console.log("later")']) {
  console.log(JSON.stringify(code), await ex.execute(code, { tools }));
}
await ex.close();
