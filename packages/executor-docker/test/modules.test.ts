import { describeModulesContract } from '@actkit/code-actions/testing';
import { it } from 'vitest';
import { DockerExecutor } from '../src/index.js';
import { dockerAvailable, testImage } from './docker-env.js';

if (await dockerAvailable()) {
  describeModulesContract('docker', {
    create: async (modules) => new DockerExecutor({ image: await testImage(), modules, memoryLimitMb: 64, labels: { 'dev.actkit.test': 'modules' } }),
    testTimeoutMs: 90_000,
  });
} else {
  it.skip('allowed modules on Docker (no Docker engine)', () => {});
}
