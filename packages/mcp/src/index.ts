export { McpError, type McpFailure } from './errors.js';
export { type AgentMcpServerOptions, agentMcpServer, createMcpHttpHandler, type McpHttpHandlerOptions } from './serve.js';
export { type LoadMcpToolsOptions, loadMcpTools, type McpServerConfig, type McpToolset } from './tools.js';
