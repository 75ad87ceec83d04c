export { loadMcpTools, McpError, type McpServerConfig, type McpToolset } from './mcp-tools.js';
export { agentMcpServer } from './serve.js';
