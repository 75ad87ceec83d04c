import { DockerExecutor } from './src/index.js';
const ex = new DockerExecutor({ image: 'actkit-node-offline:test', timeoutMs: 1000, memoryLimitMb: 64, maxLogChars: 2000, labels: { 'dev.actkit.test': 'hardening-probe' } });
const tools = [{ name: 'echo', call: async (x: unknown) => x }];
for (const code of JSON.parse(process.argv[2]!)) {
  const t = performance.now();
  console.log(JSON.stringify(await ex.execute(code, { tools })).slice(0, 400), Math.round(performance.now() - t));
}
await ex.close();
