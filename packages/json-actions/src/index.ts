// The core layer (with the tools layer it re-exports), whole: one import of this package gives
// everything an agent needs. One list names it, core's index; this star adds no list of its own
// (a copy here drifted from core's). A name of this package that shadowed one of core's would
// pass silently, so test/core-reexport.test.ts checks that none does.
export * from '@actkit/core';
export { type ToolCallingAgentOptions, type ToolCallingPrompts, ToolCallingAgent } from './tool-calling-agent.js';
export { parseTextToolCalls } from './text-actions.js';
export * as toolCallingPrompts from './prompts.js';
