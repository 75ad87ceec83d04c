import { AgentError } from '@actkit/core';

/** What went wrong with an MCP server. */
export type McpFailure =
  /** It could not be started or reached, or the handshake failed. */
  | 'connect'
  /** It did not list its tools. */
  | 'list'
  /** One of its tools has a schema actkit cannot validate. */
  | 'schema'
  /** It went away (the process died, the connection dropped) after connecting. */
  | 'disconnected'
  /** A call took longer than `timeoutMs` without progress. */
  | 'timeout'
  /** It refused a call (an unknown tool, arguments it rejected, an internal error). */
  | 'call'
  /** A result was larger than a stdio message may be (`maxMessageBytes`): that call fails, later ones work. */
  | 'too_large'
  /** The tool ran and reported an error (`isError`): the text is the server's. */
  | 'tool'
  /** The toolset was closed; its tools cannot be called any more. */
  | 'closed';

/**
 * An MCP server failed. `server` names it, `reason` says how. Inside an agent run a failing MCP
 * tool becomes an observation the model reads (the run goes on); called directly, it throws this.
 */
export class McpError extends AgentError {
  override name = 'McpError';
  override readonly code = 'mcp';
  constructor(
    message: string,
    readonly server: string,
    readonly reason: McpFailure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
