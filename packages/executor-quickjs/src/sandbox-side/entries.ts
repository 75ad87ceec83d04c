import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxSideFolder } from '@actkit/code-actions/build';

/** This package's sandbox-side scripts (bundled as `@actkit/code-actions/build` describes): the polyfills QuickJS lacks. */
export const SANDBOX_SIDE = {
  folder: dirname(fileURLToPath(import.meta.url)),
  entries: {
    polyfills: { file: 'polyfills', wrap: { kind: 'script' }, platform: 'neutral' },
  },
} satisfies SandboxSideFolder;
