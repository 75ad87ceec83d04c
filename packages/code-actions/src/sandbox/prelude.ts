import { SANDBOX_SIDE_SOURCES } from '../sandbox-side/sources.js';

export { SANDBOX_UNUSABLE } from './contract.js';

/**
 * The code that runs inside every sandbox before any code action (src/sandbox-side/prelude.ts,
 * bundled), ready to evaluate in a fresh sandbox global once `__actkit_host` is set.
 */
export const SANDBOX_PRELUDE: string = SANDBOX_SIDE_SOURCES.prelude;
