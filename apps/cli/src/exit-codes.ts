/** actkit's exit codes (documented in --help and the README). */
export const EXIT = {
  ok: 0,
  /** The agent gave no final answer: max steps, stopped by a guard. */
  notSolved: 1,
  /** Bad command line or input file. */
  usage: 2,
  /** Model or setup problem: missing key, model API error, executor unavailable. */
  setup: 3,
  /** Ctrl-C (128 + SIGINT), as shells report it. */
  interrupted: 130,
  /** Whoever read the output went away (128 + SIGPIPE), as a Unix tool killed by SIGPIPE reports it. */
  outputClosed: 141,
} as const;
