import { bundleSandboxSide, type SandboxSideSources } from './bundle.js';

/**
 * The sandbox-side scripts as text. From source (tests, benches) they are bundled here, on first
 * import, with esbuild (a dev dependency); the published build replaces this whole module by the
 * text itself (tsup.config.ts), so esbuild is not needed there.
 */
export const SANDBOX_SIDE_SOURCES: SandboxSideSources = bundleSandboxSide();
