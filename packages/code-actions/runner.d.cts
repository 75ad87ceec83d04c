// `@actkit/code-actions/runner.cjs` is a script, not a library: run it with `node` inside a sandbox
// (or copy the file there; `require.resolve('@actkit/code-actions/runner.cjs')` gives its path).
// It exports nothing.
export {};
