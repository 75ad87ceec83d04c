import { StringDecoder } from 'node:string_decoder';

/** The longest line a `LineSplitter` accepts by default: 64 Mi characters. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

/**
 * Splits a byte stream into lines: a line may arrive in pieces, several in one chunk, and a
 * multi-byte character split between two chunks. What comes from a sandbox is untrusted, so a
 * line that never ends cannot grow past `maxLineChars` (it would exhaust the host's memory):
 * `onOverflow` is called instead, and the rest of the stream is ignored.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  /** The start of the current line, in pieces: joined once, when its newline arrives. */
  #pending: string[] = [];
  #pendingChars = 0;
  #overflowed = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly options: { maxLineChars?: number; onOverflow?: (chars: number) => void } = {},
  ) {}

  push(chunk: string | Uint8Array): void {
    if (this.#overflowed) return;
    let text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    let newline = text.indexOf('\n');
    while (newline >= 0) {
      this.#pending.push(text.slice(0, newline));
      const line = this.#pending.join('').trim();
      this.#pending = [];
      this.#pendingChars = 0;
      text = text.slice(newline + 1);
      if (line) this.onLine(line);
      newline = text.indexOf('\n');
    }
    if (!text) return;
    this.#pending.push(text);
    this.#pendingChars += text.length;
    const max = this.options.maxLineChars ?? MAX_LINE_CHARS;
    if (this.#pendingChars > max) {
      this.#overflowed = true;
      this.#pending = [];
      this.options.onOverflow?.(this.#pendingChars);
    }
  }
}
