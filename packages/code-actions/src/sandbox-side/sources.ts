import { bundleSandboxSide } from '../build/sandbox-side.js';
import { SANDBOX_SIDE } from './entries.js';

/**
 * The sandbox-side scripts as text. From source (tests, benches) they are bundled here, on first
 * import, with esbuild (a dev dependency); the published build replaces this whole module by the
 * text itself (tsup.config.ts), so esbuild is not needed there.
 */
export const SANDBOX_SIDE_SOURCES: Record<keyof typeof SANDBOX_SIDE.entries, string> = bundleSandboxSide(SANDBOX_SIDE);
