import type { SandboxTool } from '@actkit/core';

/**
 * A tool for the suites: `run` answering at once and saying so (`synchronous: true`, which the
 * local executor answers on the host's thread), or, by default, with a promise as most tools do.
 */
export function testTool(name: string, run: (input: unknown) => unknown, synchronous = false): SandboxTool {
  return synchronous ? { name, synchronous: true, call: run } : { name, call: async (input) => run(input) };
}
