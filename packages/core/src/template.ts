import { AgentConfigError } from './errors.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w]*)\s*\}\}/g;

/**
 * Fills `{{name}}` placeholders. Every prompt in actkit is a template string, so users can
 * replace any of them; an unknown placeholder is an error rather than a silent blank.
 */
export function renderTemplate(template: string, variables: Record<string, string | number | undefined>): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    if (!(name in variables)) {
      throw new AgentConfigError(
        `Prompt template uses {{${name}}}, which is not provided (known: ${Object.keys(variables).join(', ') || 'none'}).`,
      );
    }
    return String(variables[name] ?? '');
  });
}

/** The placeholder names a template uses, in order of first use. */
export function templatePlaceholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/**
 * Checks a prompt template when an agent is created, so a typo fails at once with the prompt's
 * name rather than in the middle of a run: it must be a string using only `allowed` placeholders.
 */
export function checkTemplate(template: unknown, allowed: readonly string[], label: string): string {
  if (typeof template !== 'string') throw new AgentConfigError(`The ${label} prompt must be a string, got ${typeof template}.`);
  const unknown = templatePlaceholders(template).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    throw new AgentConfigError(
      `The ${label} prompt uses ${unknown.map((n) => `{{${n}}}`).join(', ')}, which it cannot: its placeholders are ` +
        `${allowed.length ? allowed.map((n) => `{{${n}}}`).join(', ') : 'none'}.`,
    );
  }
  return template;
}

/**
 * A set of prompt templates with some replaced, checked when an agent is created (the one way
 * every agent takes its `prompts`/`loopPrompts` option): an unknown prompt name or a placeholder a
 * prompt cannot use is an `AgentConfigError` naming `option.<prompt>`.
 */
export function checkPrompts<T extends { [K in keyof T]: string }>(
  given: Partial<T> | undefined,
  defaults: Readonly<T>,
  placeholders: Readonly<Record<keyof T, readonly string[]>>,
  option: string,
): T {
  if (given !== undefined && (typeof given !== 'object' || given === null)) throw new AgentConfigError(`${option} must be an object of prompt templates.`);
  const known = Object.keys(defaults) as Array<keyof T & string>;
  for (const key of Object.keys(given ?? {})) {
    if (!known.includes(key as keyof T & string)) throw new AgentConfigError(`${option} has no prompt "${key}" (known: ${known.join(', ')}).`);
  }
  const merged = { ...defaults, ...given } as T;
  for (const key of known) checkTemplate(merged[key], placeholders[key], `${option}.${key}`);
  return merged;
}
