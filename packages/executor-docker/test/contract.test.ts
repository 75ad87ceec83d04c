import { describeExecutorContract } from '@actkit/code-actions/testing';
import { it } from 'vitest';
import { DockerExecutor } from '../src/index.js';
import { dockerAvailable, testImage } from './docker-env.js';

if (await dockerAvailable()) {
  describeExecutorContract('docker', {
    create: async () => new DockerExecutor({ image: await testImage(), memoryLimitMb: 64, labels: { 'dev.actkit.test': 'contract' } }),
    testTimeoutMs: 90_000,
  });
} else {
  it.skip('code-action contract on Docker (no Docker engine)', () => {});
}
