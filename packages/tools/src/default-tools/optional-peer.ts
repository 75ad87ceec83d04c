/**
 * Loads an optional peer dependency of the web tools on first use. A project that never uses
 * them does not install these libraries; one that does and forgot gets an error naming the
 * package to add. `load` is a function so the import stays a literal the bundlers can see.
 */
export async function importOptionalPeer<T>(packageName: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: string })?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(
        `The web tools need \`${packageName}\`, an optional peer dependency of @actkit/tools: install it (\`npm install ${packageName}\`).`,
        { cause: error },
      );
    }
    throw error;
  }
}
