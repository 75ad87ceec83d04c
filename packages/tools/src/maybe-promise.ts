/**
 * A value now or a promise of it. The tool-call path answers synchronously when every part of it
 * did (a sandbox can then answer a call without suspending), and awaits only what returned a promise.
 */
export type MaybePromise<T> = T | Promise<T>;

/** What `await` would treat as a promise. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/** `next(value)` now if `value` is plain, after it settles if it is a promise. */
export function andThen<T, R>(value: T | PromiseLike<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return isPromiseLike(value) ? Promise.resolve(value).then(next) : next(value);
}
