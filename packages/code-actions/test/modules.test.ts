import { describe, expect, it, vi } from 'vitest';
import { describeModulesContract } from '../src/testing/index.js';
import { ChildProcessSandboxProvider, RunnerExecutor } from '../src/index.js';

// The runner end to end (a child Node process): the modules are bundled here and sent in `setup`.
describeModulesContract('runner (child process)', {
  create: (modules) => new RunnerExecutor(new ChildProcessSandboxProvider(), { modules, memoryLimitMb: 64 }),
});

describe('without esbuild installed', { timeout: 60_000 }, () => {
  it('asking for modules is an error that names esbuild and how to add it', async () => {
    vi.resetModules();
    vi.doMock('esbuild', () => {
      throw new Error("Cannot find package 'esbuild'");
    });
    try {
      const { bundleModules } = await import('../src/sandbox/modules.js');
      await expect(bundleModules(['lodash'], process.cwd())).rejects.toThrow(/bundled for the sandbox with esbuild, which is not installed: add it to your project \(npm install esbuild\)/);
    } finally {
      vi.doUnmock('esbuild');
    }
  });
});
