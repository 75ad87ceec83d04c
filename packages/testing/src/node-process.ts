import { spawn } from 'node:child_process';

export interface NodeProcessOutput {
  stdout: string;
  stderr: string;
  /** The exit code, or the signal that ended it. */
  exit: number | NodeJS.Signals | null;
}

/**
 * Runs `node <args>` in a process of its own and gives what it printed on each stream once it has
 * ended: for what only a separate process shows (what a library prints, whether the process exits).
 * No time limit: the test's own bounds it.
 */
export function runNodeProcess(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<NodeProcessOutput> {
  const child = spawn(process.execPath, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ stdout, stderr, exit: code ?? signal }));
  });
}
