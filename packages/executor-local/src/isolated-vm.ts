import { createRequire } from 'node:module';
import { ExecutorError } from '@actkit/code-actions';
import type ivmModule from 'isolated-vm';

export type Ivm = typeof ivmModule;

/**
 * isolated-vm is a native addon, and each of its major lines builds for a range of Node versions
 * only: 5.x for Node 18–22 (built from source at install), 7.x for Node 24+ (prebuilt binaries
 * inside the package: no compiler, no install script needed). The package depends on both as
 * optional dependencies (7.x under the npm alias `isolated-vm-7`); an install skips the line whose
 * `engines` do not match this Node, or whose build fails, and we load the line that fits. Their
 * JavaScript API is the same.
 */
const LINES: ReadonlyArray<{ packageName: string; loadFrom: string; minNode: number; maxNode: number }> = [
  { packageName: 'isolated-vm-7', loadFrom: 'isolated-vm-7', minNode: 24, maxNode: Infinity },
  // 5.x comes through @actkit/isolated-vm-node22, whose `engines` (<24) keep Node 24+ installs from
  // building it; `isolated-vm` itself is the fallback for a project that installed it directly.
  { packageName: 'isolated-vm', loadFrom: '@actkit/isolated-vm-node22', minNode: 18, maxNode: 23 },
  { packageName: 'isolated-vm', loadFrom: 'isolated-vm', minNode: 18, maxNode: 23 },
];

export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

let loaded: { ivm: Ivm; packageName: string } | undefined;

/** The isolated-vm line for this Node, loaded on first use; a clear error when none is installed. */
export function loadIsolatedVm(): Ivm {
  return loadIsolatedVmLine().ivm;
}

export function loadIsolatedVmLine(): { ivm: Ivm; packageName: string } {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const line of LINES) {
    if (NODE_MAJOR < line.minNode || NODE_MAJOR > line.maxNode) continue;
    try {
      loaded = { ivm: require(line.loadFrom) as Ivm, packageName: line.packageName };
      return loaded;
    } catch (error) {
      failures.push(`${line.loadFrom}: ${((error as Error).message ?? String(error)).split('\n')[0]}`);
    }
  }
  throw new ExecutorError(
    `The local executor needs isolated-vm, a native addon, and no line of it fitting Node ${process.versions.node} loaded (${failures.join('; ') || 'none fits this Node version'}). ` +
      'Reinstall @actkit/executor-local with this Node version; on Node 20 isolated-vm builds from source, so a C++ toolchain and python3 are needed, ' +
      'and with pnpm 10 its build must be allowed ("pnpm": { "onlyBuiltDependencies": ["isolated-vm"] }, then `pnpm rebuild isolated-vm`).',
  );
}

/**
 * Node 20+ starts V8 from a heap snapshot that isolated-vm's isolates must not share: hosting
 * isolates then needs a process started with `--no-node-snapshot` (on the command line or in
 * NODE_OPTIONS at start-up).
 */
export function canHostIsolates(): boolean {
  if (NODE_MAJOR < 20) return true;
  const flag = '--no-node-snapshot';
  return process.execArgv.includes(flag) || (process.env.NODE_OPTIONS ?? '').split(/\s+/).includes(flag);
}
