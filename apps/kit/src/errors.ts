/**
 * A problem the person starting an app can fix: bad input (`usage`: a flag, a file, a name) or a
 * missing or broken setup (`config`: an API key, a Docker engine). Apps map the kind to an exit
 * code or an HTTP status; the message is written to be shown as it is.
 */
export class SetupError extends Error {
  override name = 'SetupError';
  readonly kind: 'usage' | 'config';
  constructor(kind: 'usage' | 'config', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}
