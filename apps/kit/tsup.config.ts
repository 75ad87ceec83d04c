import { defineConfig } from 'tsup';

export default defineConfig({
  // pipes: a separate entry, so that a command line can use it before loading the rest.
  entry: ['src/index.ts', 'src/pipes.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
