export { McpError, type McpFailure } from './errors.js';
export { type AgentMcpServerOptions, agentMcpServer, createMcpHttpHandler } from './serve.js';
export { type LoadMcpToolsOptions, loadMcpTools, type McpServerConfig, type McpToolset } from './tools.js';
