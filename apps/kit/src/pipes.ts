/**
 * When whoever reads this process's output goes away (`actkit run … | head`), end at once with
 * `code` instead of an EPIPE stack — and instead of working on for a reader that is gone. Work in
 * flight ends with the process (a sandbox child process exits with its parent).
 */
export function exitWhenOutputCloses(code: number): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(code);
      throw error;
    });
  }
}
