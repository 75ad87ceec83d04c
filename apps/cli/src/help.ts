/**
 * `actkit --help`, `actkit run --help` and `actkit compare --help`: each a list of flags and a few
 * examples, wrapped to the terminal's width (80 columns when the output is not a terminal).
 */
type Flag = [flags: string, text: string];
interface Section {
  title: string;
  flags?: Flag[];
  lines?: string[];
  /** Command lines: wrapped as a shell would read them (a trailing backslash, then an indent). */
  commands?: string[];
}

const MODEL_FLAGS: Flag[] = [
  ['-m, --model id', 'a model id: gpt-4.1-mini, claude-sonnet-5-5, openai:llama3.2, or "scripted" (replays --script offline)'],
  ['--provider p', 'openai | anthropic | scripted (usually inferred from --model)'],
  ['--base-url url', 'an OpenAI-compatible server: Ollama, vLLM, LM Studio, OpenRouter…'],
  ['--api-key-env VAR', 'read the API key from $VAR (default OPENAI_API_KEY / ANTHROPIC_API_KEY); keys never go on the command line'],
];
const MODEL_NOTE = 'Without --model: ACTKIT_MODEL, then whichever of OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY is set.';
const SHARED_FLAGS: Flag[] = [
  ['--executor local|quickjs|docker', 'where code actions run (default local: V8 isolates; quickjs: WebAssembly, in this process; docker: a locked-down container)'],
  ['--docker-image image', 'with --executor docker (default $ACTKIT_DOCKER_IMAGE or actkit-runner:latest)'],
  ['--mcp server', 'add the tools of an MCP server: a URL (streamable HTTP) or a command line (stdio), e.g. --mcp "npx -y @modelcontextprotocol/server-everything"; repeatable'],
  ['--max-steps n', 'at most n steps per run (default 10)'],
  ['--json', 'print the result as JSON, for machines'],
  ['-h, --help', 'this help'],
];
const EXIT_CODES: string[] = [
  '0    success (compare: it finished, whatever the tasks\' results)',
  '1    no final answer (step limit reached, or stopped)',
  '2    usage error: unknown command or flag, bad value, unreadable file',
  '3    setup error: missing API key, model API error, sandbox unavailable',
  '130  interrupted (Ctrl-C)',
  '141  the output was closed (e.g. piped to head)',
];

function runSections(toolNames: readonly string[]): Section[] {
  return [
    { title: 'Usage: actkit run "task" [options]', lines: ['One agent on one task, each step shown as it happens. A task of "-" is read from stdin.'] },
    {
      title: 'Options',
      flags: [
        ['-a, --agent tool|code', 'JSON tool calls, or JavaScript code actions (default code)'],
        ['-t, --tools list', `built-in tools by name, "all" (default) or "none", and/or modules exporting your own tools (./my-tools.ts; TypeScript works), comma-separated. Built-in: ${toolNames.join(', ')}`],
        ['--approve mode', 'how calls that need approval are decided: ask (default: a prompt here), all, none; per tool with name=mode, e.g. --approve none,place_order=ask'],
        ['--approve-timeout s', 'seconds a prompt waits before the call counts as not approved (default 300)'],
        ['--script file.json', 'the scripted model\'s replies (with --model scripted), see examples/'],
        ['-v, --verbose', 'stream the model\'s text as it is written'],
        ['-q, --quiet', 'print only the answer'],
        ...SHARED_FLAGS,
      ],
    },
    { title: 'Model', flags: MODEL_FLAGS, lines: [MODEL_NOTE] },
    {
      title: 'Examples',
      commands: [
        'actkit run "What is 6 times 7?" -m scripted --script examples/code-calculator.json',
        'actkit run "Order 3 lamps" -m gpt-4.1-mini --tools get_price,place_order --approve ask',
        'actkit run "Summarise notes.md" --tools none --mcp "npx -y @modelcontextprotocol/server-filesystem ."',
        'actkit run "Weather in Rome?" --tools ./my-tools.ts --base-url http://localhost:11434/v1 -m llama3.2',
        'echo "What is 2^10?" | actkit run - -q',
      ],
    },
    { title: 'Exit codes', lines: EXIT_CODES },
  ];
}

function compareSections(): Section[] {
  return [
    {
      title: 'Usage: actkit compare [tasks.json] [options]',
      lines: [
        'ToolCallingAgent vs CodeAgent on the same tasks, side by side. Without a task file: the built-in M3ToolEval-style set. Without --model each task\'s scripted replies are replayed (an offline demonstration).',
      ],
    },
    {
      title: 'Options',
      flags: [
        ['-o, --report file.html', 'also write an HTML report with SVG charts'],
        ['-t, --tools list', 'modules exporting your own tools (./my-tools.ts), comma-separated, for task sets that name them'],
        ['-q, --quiet', 'print only the table'],
        ...SHARED_FLAGS,
      ],
    },
    { title: 'Model', flags: MODEL_FLAGS, lines: [MODEL_NOTE] },
    {
      title: 'Examples',
      commands: ['actkit compare', 'actkit compare -o report.html', 'actkit compare my-tasks.json -m claude-sonnet-5-5 --max-steps 6'],
    },
    { title: 'Exit codes', lines: EXIT_CODES },
  ];
}

function mainSections(): Section[] {
  return [
    { title: 'actkit — run an agent on a task, or compare the two ways of acting on a task set', lines: [] },
    { title: 'Usage: actkit <command> [options]', lines: [] },
    {
      title: 'Commands',
      flags: [
        ['run "task"', 'one agent, watched live (actkit run --help)'],
        ['compare [tasks.json]', 'ToolCallingAgent vs CodeAgent on the same tasks (actkit compare --help)'],
        ['-V, --version', 'the version'],
      ],
    },
    {
      title: 'Examples',
      commands: ['actkit run "What is 6 times 7?" -m scripted --script examples/code-calculator.json', 'actkit compare -o report.html'],
    },
  ];
}

/** Words of `text` in lines of at most `width` characters (a longer word stands alone). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function render(sections: Section[], columns: number): string {
  const width = Math.max(40, Math.min(columns, 100) - 1);
  const flagWidth = Math.min(26, Math.floor(width / 3));
  const out: string[] = [];
  for (const section of sections) {
    out.push(section.title);
    for (const [flags, text] of section.flags ?? []) {
      const textLines = wrap(text, width - flagWidth - 4);
      // A flag too long for its column gets a line of its own.
      if (flags.length > flagWidth) out.push(`  ${flags}`, ...textLines.map((l) => `${' '.repeat(flagWidth + 4)}${l}`));
      else out.push(...textLines.map((l, i) => `  ${(i === 0 ? flags : '').padEnd(flagWidth)}  ${l}`));
    }
    // Lines that fit keep their spacing (aligned columns); longer ones are wrapped.
    for (const line of section.lines ?? []) out.push(...(line.length <= width - 2 ? [line] : wrap(line, width - 2)).map((l) => `  ${l}`));
    for (const command of section.commands ?? []) {
      const [first = '', ...more] = wrap(command, width - 6);
      out.push(`  ${first}${more.length ? ' \\' : ''}`, ...more.map((l, i) => `      ${l}${i < more.length - 1 ? ' \\' : ''}`));
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

export function helpText(command: 'main' | 'run' | 'compare', toolNames: readonly string[], columns = process.stdout.columns || 80): string {
  const sections = command === 'run' ? runSections(toolNames) : command === 'compare' ? compareSections() : mainSections();
  return render(sections, columns);
}
