/**
 * What a process that only hosts sandboxes needs (the local executor's child process): the
 * prelude, the action clock and the contract's names — without the agent, the compiler or zod,
 * so that such a process starts in milliseconds rather than loading the whole package.
 */
export { ActionClock, tripMs } from './action-clock.js';
export { type ActionOutcome, type ActionRequest, HOST_BINDING, RUN_ACTION, type ToolReply } from './contract.js';
export { LineSplitter, MAX_LINE_CHARS } from './line-splitter.js';
export { SANDBOX_PRELUDE, SANDBOX_UNUSABLE } from './prelude.js';
export { type StopSignal, StopSwitch } from './stop-switch.js';
export { copyInLimit, mb, sizedToolReply } from './copy-in-limit.js';
