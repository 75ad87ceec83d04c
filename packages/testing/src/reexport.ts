/**
 * The values of `original` that `reexporting` does not pass through as the very same binding.
 * A package that does `export * from '…'` may shadow one of those names with its own without any
 * error; its test expects this list to be empty. `original` must export at least `minimum` values,
 * so that a module that failed to load (or an empty one) cannot pass.
 */
export function valuesNotPassedThrough(reexporting: object, original: object, minimum = 1): string[] {
  const names = Object.keys(original);
  if (names.length < minimum) throw new Error(`expected at least ${minimum} exported values, found ${names.length}`);
  return names.filter((name) => (reexporting as Record<string, unknown>)[name] !== (original as Record<string, unknown>)[name]);
}
