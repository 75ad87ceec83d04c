/**
 * The E2B executor through the real `e2b` SDK against the local wire server (so: the SDK's and
 * the protocol's own overhead, not E2B's network or VMs), side by side with the local executor
 * in its default mode, in the same run. See code-actions/bench/executor-bench.ts for the rows
 * and the checks made before each figure is divided.
 */
import { LocalExecutor } from '@actkit/executor-local';
import { startE2BServer } from '@actkit/testing';
import { benchExecutors } from '../../code-actions/bench/executor-bench.js';
import { E2BExecutor } from '../src/index.js';

const server = await startE2BServer();
try {
  await benchExecutors({
    title: 'E2B (real SDK, local wire server) vs the local executor (default mode)',
    baseline: { name: 'local', make: () => new LocalExecutor() },
    subjects: [{ name: 'e2b-wire', make: () => new E2BExecutor({ apiKey: server.apiKey, sdkOptions: { apiUrl: server.url, sandboxUrl: server.url } }) }],
  });
  console.log('  (DESIGN.md has no budget for hosted sandboxes: their own network and VM start come on top of these.)');
} finally {
  await server.close();
}
