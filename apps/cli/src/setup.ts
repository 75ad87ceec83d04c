import { readFileSync } from 'node:fs';
import { createAnthropic } from '@actkit/anthropic';
import { CodeAgent } from '@actkit/code-actions';
import type { AgentHooks, AnyTool, CodeExecutor, Model, MultiStepAgent } from '@actkit/core';
import { ToolCallingAgent } from '@actkit/json-actions';
import { createOpenAI } from '@actkit/openai';
import { ScriptedModel, type ScriptedReply } from '@actkit/testing';
import { UsageError } from './tools.js';

/** A problem with the model or its configuration (missing key, bad script): exit code 3. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ModelFlags {
  provider: string;
  model?: string;
  baseUrl?: string;
  /** For the scripted provider: a JSON file with the replies. */
  script?: string;
}

export function createModel(flags: ModelFlags, scripted?: ScriptedReply[]): Model {
  switch (flags.provider) {
    case 'scripted': {
      const replies = scripted ?? (flags.script ? readScript(flags.script) : undefined);
      if (!replies) throw new UsageError('--provider scripted needs --script <replies.json> (see examples/).');
      return new ScriptedModel(replies, { modelId: 'scripted' });
    }
    case 'openai': {
      if (!process.env.OPENAI_API_KEY && !flags.baseUrl) {
        throw new ConfigError('OPENAI_API_KEY is not set. Set it, or pass --base-url for an OpenAI-compatible server.');
      }
      return createOpenAI(flags.baseUrl ? { baseURL: flags.baseUrl } : {})(flags.model ?? 'gpt-4.1-mini');
    }
    case 'anthropic':
      if (!process.env.ANTHROPIC_API_KEY) throw new ConfigError('ANTHROPIC_API_KEY is not set.');
      return createAnthropic(flags.baseUrl ? { baseURL: flags.baseUrl } : {})(flags.model ?? 'claude-sonnet-5-5');
    default:
      throw new UsageError(`Unknown provider "${flags.provider}": use scripted, openai or anthropic.`);
  }
}

function readScript(path: string): ScriptedReply[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Cannot read the script ${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new ConfigError(`The script ${path} must be a JSON array of replies.`);
  // A reply may script a failing API: { "error": "message" }.
  return parsed.map((r) => (r && typeof r === 'object' && typeof r.error === 'string' ? { ...r, error: new Error(r.error) } : r));
}

export async function createExecutor(name: string): Promise<CodeExecutor> {
  if (name === 'local') {
    const { LocalExecutor } = await import('@actkit/executor-local');
    return new LocalExecutor();
  }
  if (name === 'docker') {
    const { DockerExecutor } = await import('@actkit/executor-docker');
    return new DockerExecutor({ image: process.env.ACTKIT_DOCKER_IMAGE ?? 'actkit-runner:latest' });
  }
  throw new UsageError(`Unknown executor "${name}": use local or docker.`);
}

export async function createAgent(options: {
  agent: string;
  model: Model;
  tools: AnyTool[];
  executor: string;
  maxSteps: number;
  hooks?: AgentHooks;
}): Promise<MultiStepAgent & { close?: () => Promise<void> }> {
  const base = { model: options.model, tools: options.tools, maxSteps: options.maxSteps, ...(options.hooks ? { hooks: options.hooks } : {}) };
  if (options.agent === 'tool') return new ToolCallingAgent(base);
  if (options.agent === 'code') return new CodeAgent({ ...base, executor: await createExecutor(options.executor) });
  throw new UsageError(`Unknown agent "${options.agent}": use tool or code.`);
}
