import { createRequire } from 'node:module';
import type ivmModule from 'isolated-vm';

export type Ivm = typeof ivmModule;

/**
 * isolated-vm is a native addon, and each of its major lines builds for a range of Node versions
 * only: 5.x for Node 18–22 (built from source at install), 7.x for Node 24+ (prebuilt binaries
 * inside the package: no compiler, no install script needed). The package depends on both as
 * optional dependencies (7.x under the npm alias `isolated-vm-7`); an install skips the line whose
 * `engines` do not match this Node, or whose build fails, and we load the line that fits. Their
 * JavaScript API is the same.
 *
 * This file imports nothing of actkit: the child process loads it before anything else, and says
 * why it failed as plain data (isolated-vm-unavailable.ts turns that into the caller's error).
 */
const LINES: ReadonlyArray<{ packageName: string; loadFrom: string; minNode: number; maxNode: number }> = [
  { packageName: 'isolated-vm-7', loadFrom: 'isolated-vm-7', minNode: 24, maxNode: Infinity },
  // 5.x comes through @actkit/isolated-vm-node22, whose `engines` (<24) keep Node 24+ installs from
  // building it; `isolated-vm` itself is the fallback for a project that installed it directly.
  { packageName: 'isolated-vm', loadFrom: '@actkit/isolated-vm-node22', minNode: 18, maxNode: 23 },
  { packageName: 'isolated-vm', loadFrom: 'isolated-vm', minNode: 18, maxNode: 23 },
];

export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/** The package of the line that fits this Node (the one a fix must rebuild). */
export const FITTING_LINE = LINES.find((line) => NODE_MAJOR >= line.minNode && NODE_MAJOR <= line.maxNode)?.packageName ?? 'isolated-vm';

export type IsolatedVmLoad = { ok: true; ivm: Ivm; packageName: string } | { ok: false; failures: string[] };

let loaded: IsolatedVmLoad | undefined;

/** Loads the isolated-vm line for this Node (once); says why none loaded rather than throwing. */
export function tryLoadIsolatedVm(): IsolatedVmLoad {
  if (loaded?.ok) return loaded;
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const line of LINES) {
    if (NODE_MAJOR < line.minNode || NODE_MAJOR > line.maxNode) continue;
    try {
      loaded = { ok: true, ivm: require(line.loadFrom) as Ivm, packageName: line.packageName };
      return loaded;
    } catch (error) {
      failures.push(`${line.loadFrom}: ${((error as Error).message ?? String(error)).split('\n')[0]}`);
    }
  }
  if (failures.length === 0) failures.push(`no line of isolated-vm supports Node ${process.versions.node}`);
  loaded = { ok: false, failures };
  return loaded;
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
