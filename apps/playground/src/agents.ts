import { CodeAgent } from '@actkit/code-actions';
import { type Model, type MultiStepAgent, tool } from '@actkit/core';
import { LocalExecutor } from '@actkit/executor-local';
import { ToolCallingAgent } from '@actkit/json-actions';
import { createOpenAI } from '@actkit/openai';
import { ScriptedModel } from '@actkit/testing';
import { z } from 'zod';

/** The playground's agents: a weather question answered with tools, by either way of acting. */
const CITIES: Record<string, number> = { Paris: 14, Rome: 21, Oslo: 3, Cairo: 29 };

const weather = tool({
  name: 'get_temperature',
  description: 'Current temperature of a city in °C. Cities: Paris, Rome, Oslo, Cairo.',
  input: z.object({ city: z.string() }),
  run: ({ city }) => {
    const t = CITIES[city];
    if (t === undefined) throw new Error(`unknown city "${city}"`);
    return t;
  },
});

const SCRIPTS: Record<'tool' | 'code', () => ScriptedModel> = {
  tool: () =>
    new ScriptedModel(
      [
        { text: 'I will check all four cities.', toolCalls: Object.keys(CITIES).map((city) => ({ name: 'get_temperature', input: { city } })) },
        { text: 'Cairo is the warmest.', toolCalls: [{ name: 'final_answer', input: { answer: 'Cairo is the warmest at 29 °C.' } }] },
      ],
      { latencyMs: 200 },
    ),
  code: () =>
    new ScriptedModel(
      [
        "I will compare them in code.\n<code>\nconst cities = ['Paris', 'Rome', 'Oslo', 'Cairo'];\nconst temps = cities.map((city) => ({ city, t: get_temperature({ city }) }));\nconsole.log(temps);\nconst warmest = temps.sort((a, b) => b.t - a.t)[0];\nfinal_answer(`${warmest.city} is the warmest at ${warmest.t} °C.`);\n</code>",
      ],
      { latencyMs: 200 },
    ),
};

export const MODELS = ['scripted', 'openai'] as const;
export const AGENTS = ['tool', 'code'] as const;

export function createPlaygroundAgent(agent: string, model: string): MultiStepAgent & { close?: () => Promise<void> } {
  if (!(AGENTS as readonly string[]).includes(agent)) throw new RangeError(`Unknown agent type "${agent}": use tool or code.`);
  let m: Model;
  if (model === 'scripted') m = SCRIPTS[agent as 'tool' | 'code']();
  else if (model === 'openai') {
    if (!process.env.OPENAI_API_KEY && !process.env.OPENAI_BASE_URL) throw new RangeError('The openai model needs OPENAI_API_KEY (or OPENAI_BASE_URL) on the server.');
    m = createOpenAI(process.env.OPENAI_BASE_URL ? { baseURL: process.env.OPENAI_BASE_URL } : {})(process.env.ACTKIT_MODEL ?? 'gpt-4.1-mini');
  } else throw new RangeError(`Unknown model "${model}": use scripted or openai.`);
  return agent === 'tool'
    ? new ToolCallingAgent({ model: m, tools: [weather], maxSteps: 8 })
    : new CodeAgent({ model: m, tools: [weather], executor: new LocalExecutor(), maxSteps: 8 });
}
