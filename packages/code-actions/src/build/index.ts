/**
 * Build-time tools of actkit's packages (`@actkit/code-actions/build`): how sandbox-side
 * TypeScript becomes the script text a package ships. Needs esbuild; nothing at run time imports it.
 */
export {
  bundleSandboxSide,
  RESULT_NAME,
  type SandboxSideEntry,
  type SandboxSideFolder,
  sandboxSideEsbuildPlugin,
  SOURCES_EXPORT,
  SOURCES_MODULE,
} from './sandbox-side.js';
