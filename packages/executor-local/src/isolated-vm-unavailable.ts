import { ExecutorError } from '@actkit/code-actions';
import { FITTING_LINE, type Ivm, tryLoadIsolatedVm } from './isolated-vm.js';

/**
 * isolated-vm, the native addon the local executor runs isolates with, could not be loaded for
 * this Node.js — nearly always because its install script never ran (npm 12 and pnpm 10 block
 * dependencies' install scripts unless the project allows them) or ran for another Node version.
 * The message names the commands that fix it; `failures` holds what `require` said.
 */
export class IsolatedVmUnavailableError extends ExecutorError {
  override name = 'IsolatedVmUnavailableError';
  override readonly code = 'isolated_vm_unavailable';
  readonly failures: readonly string[];

  constructor(failures: readonly string[]) {
    const pkg = FITTING_LINE;
    super(
      `isolated-vm is not built for this Node.js (${process.version}, ${process.platform}-${process.arch}), so the local executor cannot run code: ${failures.join('; ')}.\n` +
        `It is a native addon that its install script builds, and npm 12 and pnpm 10 do not run install scripts unless the project allows them. In your project, run:\n` +
        `  npm 12+:  npm approve-scripts ${pkg} && npm rebuild ${pkg}\n` +
        `  npm 11:   npm rebuild ${pkg}\n` +
        `  pnpm:     pnpm approve-builds (select ${pkg}; or list it in "pnpm": { "onlyBuiltDependencies": [...] }), then pnpm rebuild ${pkg}\n` +
        `  yarn:     yarn rebuild ${pkg}\n` +
        (pkg === 'isolated-vm'
          ? 'On Node 20–22 it compiles from source: python3, make and a C++ compiler must be installed. On Node 24+ no build is needed (isolated-vm 7 ships prebuilt binaries).'
          : 'On Node 24+ isolated-vm 7 ships prebuilt binaries; reinstalling @actkit/executor-local with this Node version brings them.'),
    );
    this.failures = failures;
  }
}

/** The isolated-vm line for this Node, loaded on first use; `IsolatedVmUnavailableError` when none loads. */
export function loadIsolatedVm(): Ivm {
  const load = tryLoadIsolatedVm();
  if (!load.ok) throw new IsolatedVmUnavailableError(load.failures);
  return load.ivm;
}
