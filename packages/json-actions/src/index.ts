export * from '@actkit/core';
export { type ToolCallingAgentOptions, type ToolCallingPrompts, ToolCallingAgent } from './tool-calling-agent.js';
export { parseTextToolCalls } from './text-actions.js';
export * as toolCallingPrompts from './prompts.js';
