/**
 * The Blaxel executor through the real `@blaxel/core` SDK against the local wire server (so: the
 * SDK's and the protocol's own overhead, not Blaxel's network or VMs), side by side with the local
 * executor in its default mode, in the same run. See code-actions/bench/executor-bench.ts for the
 * rows and the checks made before each figure is divided.
 */
import { LocalExecutor } from '@actkit/executor-local';
import { startBlaxelServer } from '@actkit/testing';
import { benchExecutors } from '../../code-actions/bench/executor-bench.js';

const server = await startBlaxelServer();
// The SDK reads its endpoint and credentials from the environment when it is first imported.
Object.assign(process.env, { BL_API_URL: server.url, BL_WORKSPACE: server.workspace, BL_API_KEY: server.apiKey, BL_DISABLE_H2: '1' });
delete process.env.BL_REGION;
const { BlaxelExecutor } = await import('../src/index.js');
try {
  await benchExecutors({
    title: 'Blaxel (real SDK, local wire server) vs the local executor (default mode)',
    baseline: { name: 'local', make: () => new LocalExecutor() },
    subjects: [{ name: 'blaxel-wire', make: () => new BlaxelExecutor() }],
  });
  console.log('  (DESIGN.md has no budget for hosted sandboxes: their own network and VM start come on top of these.)');
} finally {
  await server.close();
}
