import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxSideFolder } from '@actkit/code-actions/build';

/** This package's sandbox-side scripts (bundled as `@actkit/code-actions/build` describes): the isolate's host binding. */
export const SANDBOX_SIDE = {
  folder: dirname(fileURLToPath(import.meta.url)),
  entries: {
    isolateBinding: { file: 'isolate-binding', wrap: { kind: 'function', parameters: ['callTool', 'takeTooLong', 'replyBox', 'log', 'maxChars'] }, platform: 'neutral' },
  },
} satisfies SandboxSideFolder;
