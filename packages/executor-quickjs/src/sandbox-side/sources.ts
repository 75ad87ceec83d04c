import { bundleSandboxSide } from '@actkit/code-actions/build';
import { SANDBOX_SIDE } from './entries.js';

/**
 * The sandbox-side scripts as text. From source (tests, benches) they are bundled here, on first
 * import, with esbuild (a dev dependency); the published build, and a bundle of the source made
 * with `sandboxSideEsbuildPlugin`, replace this whole module by the text itself.
 */
export const SANDBOX_SIDE_SOURCES: Record<keyof typeof SANDBOX_SIDE.entries, string> = bundleSandboxSide(SANDBOX_SIDE);
