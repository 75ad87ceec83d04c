/**
 * Fills `{{name}}` placeholders. Every prompt in actkit is a template string, so users can
 * replace any of them; an unknown placeholder is an error rather than a silent blank.
 */
export function renderTemplate(template: string, variables: Record<string, string | number | undefined>): string {
  return template.replace(/\{\{\s*([A-Za-z_][\w]*)\s*\}\}/g, (_match, name: string) => {
    if (!(name in variables)) {
      throw new Error(`Prompt template uses {{${name}}}, which is not provided (known: ${Object.keys(variables).join(', ')}).`);
    }
    return String(variables[name] ?? '');
  });
}
