/**
 * The host's half of handing a tool's reply that comes later to the isolate's thread waiting for
 * it (sandbox-side/isolate-binding.ts has the other half, and says why not `applySyncPromise`):
 * memory shared with the isolate — a count of replies handed over, the reply's length, its text.
 * The waiting thread sleeps on the count; a reply too long for the box is fetched with a hop.
 */
export class ReplyBox {
  /** Replies of up to this many UTF-16 units travel in the box (a tool's reply is usually far shorter). */
  static readonly CHARS = 16 * 1024;
  /** Passed into the isolate (isolated-vm shares a SharedArrayBuffer's memory, it does not copy it). */
  readonly memory = new SharedArrayBuffer(HEADER_BYTES + 2 * ReplyBox.CHARS);
  /** [replies handed over, the last one's length in UTF-16 units or -1: too long, fetch it]. */
  readonly #header = new Int32Array(this.memory, 0, 2);
  readonly #text = Buffer.from(this.memory, HEADER_BYTES);
  #tooLong = '';

  /** Hands `reply` over and wakes the thread waiting for it. */
  put(reply: string): void {
    if (reply.length <= ReplyBox.CHARS) {
      // UTF-16 as it is, lone surrogates too: the isolate reads the units back.
      this.#text.write(reply, 0, 'utf16le');
      Atomics.store(this.#header, 1, reply.length);
    } else {
      this.#tooLong = reply;
      Atomics.store(this.#header, 1, -1);
    }
    Atomics.add(this.#header, 0, 1);
    Atomics.notify(this.#header, 0);
  }

  /** The reply too long for the box (the isolate asks with a hop). */
  takeTooLong(): string {
    const reply = this.#tooLong;
    this.#tooLong = '';
    return reply;
  }
}

const HEADER_BYTES = 8;
