import { SANDBOX_SIDE_SOURCES } from '../sandbox-side/sources.js';

/**
 * The runner (src/sandbox-side/runner-main.ts with its worker, bridge and the prelude, bundled)
 * as one self-contained CommonJS script: `node -e "$RUNNER_SOURCE"` or `node runner.cjs`.
 */
export const RUNNER_SOURCE: string = SANDBOX_SIDE_SOURCES.runner;
