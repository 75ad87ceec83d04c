/**
 * Where a tool that runs a whole agent (a managed agent) reports that run to the run that called
 * it: each event as it happens, for the caller's stream, and the finished run, so the caller keeps
 * its steps and usage on the call's record. The caller gives one to each call, in the tool's context.
 */
export interface SubRunReporter {
  /** One event of the agent's run, as it happens. */
  reportEvent(event: unknown): void;
  /** The agent's run once it ended, however it ended. */
  reportResult(result: unknown): void;
}
