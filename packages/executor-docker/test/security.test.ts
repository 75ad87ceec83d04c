import { describeSecurityCorpus } from '@actkit/code-actions/testing';
import { it } from 'vitest';
import { DockerExecutor } from '../src/index.js';
import { dockerAvailable, testImage } from './docker-env.js';

if (await dockerAvailable()) {
  describeSecurityCorpus('docker', async () =>
    new DockerExecutor({ image: await testImage(), timeoutMs: 1000, memoryLimitMb: 64, maxLogChars: 2000, labels: { 'dev.actkit.test': 'security' } }),
  );
} else {
  it.skip('security corpus on Docker (no Docker engine)', () => {});
}
