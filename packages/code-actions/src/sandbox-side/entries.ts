import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxSideFolder } from '../build/sandbox-side.js';

/**
 * This package's sandbox-side scripts (see src/build/sandbox-side.ts): the prelude every executor
 * evaluates, and the runner (with its worker and bridge, and the prelude) remote sandboxes run.
 */
export const SANDBOX_SIDE = {
  folder: dirname(fileURLToPath(import.meta.url)),
  entries: {
    prelude: { file: 'prelude', wrap: { kind: 'script' }, platform: 'neutral' },
    runnerBridge: { file: 'runner-bridge', wrap: { kind: 'function', parameters: ['callTool', 'log', 'settle'] }, platform: 'neutral' },
    runnerWorker: { file: 'runner-worker', wrap: { kind: 'script' }, platform: 'node' },
    runner: {
      file: 'runner-main',
      wrap: { kind: 'script' },
      platform: 'node',
      embeds: { ACTKIT_PRELUDE_SOURCE: 'prelude', ACTKIT_BRIDGE_SOURCE: 'runnerBridge', ACTKIT_WORKER_SOURCE: 'runnerWorker' },
    },
  },
} satisfies SandboxSideFolder;
