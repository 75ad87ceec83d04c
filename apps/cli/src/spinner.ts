/**
 * One status line that redraws itself on a terminal (and stays silent elsewhere, so logs and
 * pipes get no control characters): a spinner, a label, and the seconds since it started.
 */
export class Spinner {
  readonly #stream: NodeJS.WriteStream;
  #timer: NodeJS.Timeout | undefined;
  #label = '';
  #since = 0;
  #frame = 0;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  start(label: string): void {
    if (!this.#stream.isTTY) return;
    this.#label = label;
    this.#since = Date.now();
    this.#timer ??= setInterval(() => this.#render(), 80);
    // A spinner must never keep the process alive.
    this.#timer.unref();
    this.#render();
  }

  /** A new label, keeping the clock running. */
  update(label: string): void {
    this.#label = label;
  }

  stop(): void {
    if (!this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stream.write('\r\x1b[K');
  }

  #render(): void {
    const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
    const seconds = ((Date.now() - this.#since) / 1000).toFixed(1);
    const line = `${frames[this.#frame++ % frames.length]} ${this.#label} ${seconds}s`;
    // Wider than the terminal would wrap, and \r could no longer erase it.
    const width = (this.#stream.columns || 80) - 1;
    this.#stream.write(`\r\x1b[K${[...line].length > width ? `${[...line].slice(0, width - 1).join('')}…` : line}`);
  }
}
