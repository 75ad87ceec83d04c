/**
 * What model-written code commonly uses that QuickJS lacks or does differently from V8, made to
 * behave the way Node shows it (en-US) — evaluated in each fresh sandbox before the prelude:
 *
 * - `structuredClone` (missing): deep copies of plain data, Date, RegExp, Map, Set, ArrayBuffer
 *   and typed arrays, cycles kept; functions and symbols throw a `DataCloneError` like V8's.
 * - `Number.prototype.toLocaleString` (QuickJS prints no grouping): `1234567.891` → `"1,234,567.891"`,
 *   with `minimumFractionDigits`/`maximumFractionDigits`, `style: "percent"` and `"currency"`.
 * - `Date.prototype.toLocaleDateString/TimeString/String`: `"1/5/2026"`, `"10:00:00 AM"`, in the
 *   sandbox's time zone (UTC).
 * - `Intl` (missing): `Intl.NumberFormat` and `Intl.DateTimeFormat` over the same formatting;
 *   other `Intl` constructors throw an error that says QuickJS has no `Intl`.
 * - Formatting options other than those above (a date's `month`, `dateStyle`, a time zone other
 *   than UTC; a number's `notation`, significant digits) throw a RangeError naming the option.
 *
 * Other locales than English are formatted as en-US (documented in the README).
 *
 * This file is bundled into script text (see entries.ts) and evaluated in each fresh sandbox,
 * in its own strict scope, before the prelude.
 */

// A module, so that its names stay its own when typechecked (the bundle has no export).
export {};

// The sandbox's global object is untyped by nature.
const global: any = globalThis;
const defineHidden = (target: object, name: string, value: unknown) =>
  Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });

// ── structuredClone ──────────────────────────────────────────────────────────────────────
class DataCloneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataCloneError';
  }
}
const clone = (value: unknown, seen: Map<object, unknown>): unknown => {
  if (typeof value === 'function') throw new DataCloneError(`${String(value).slice(0, 40)} could not be cloned.`);
  if (typeof value === 'symbol') throw new DataCloneError(`${String(value)} could not be cloned.`);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value);
  let copy: any;
  if (value instanceof Date) copy = new Date(value.getTime());
  else if (value instanceof RegExp) copy = new RegExp(value.source, value.flags);
  else if (value instanceof ArrayBuffer) copy = value.slice(0);
  else if (ArrayBuffer.isView(value)) {
    const View = (value as any).constructor;
    copy = value instanceof DataView ? new DataView(value.buffer.slice(0)) : new View(value as any);
  } else if (value instanceof Map) {
    copy = new Map();
    seen.set(value, copy);
    for (const [k, v] of value) copy.set(clone(k, seen), clone(v, seen));
    return copy;
  } else if (value instanceof Set) {
    copy = new Set();
    seen.set(value, copy);
    for (const v of value) copy.add(clone(v, seen));
    return copy;
  } else if (value instanceof Error) {
    copy = new Error((value as Error).message);
    copy.name = (value as Error).name;
  } else if (Array.isArray(value)) {
    copy = new Array(value.length);
    seen.set(value, copy);
    for (let i = 0; i < value.length; i++) if (i in value) copy[i] = clone(value[i], seen);
    return copy;
  } else {
    copy = {};
    seen.set(value, copy);
    for (const key of Object.keys(value)) copy[key] = clone((value as any)[key], seen);
    return copy;
  }
  seen.set(value, copy);
  return copy;
};
if (typeof global.structuredClone !== 'function') defineHidden(global, 'structuredClone', function structuredClone(value: unknown) {
  return clone(value, new Map());
});

// ── numbers ──────────────────────────────────────────────────────────────────────────────
const group = (digits: string) => {
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return out;
};
/**
 * A whole number of 2⁵³ or more as V8 writes it: its shortest round-trip digits and zeros after
 * (`123456789012345680000`), not `toFixed`'s exact binary value (`…683968`) nor, from 10²¹ on, its
 * exponent form (`1e+21`).
 */
const wholeDigits = (n: number): string => {
  const text = String(n);
  const e = text.indexOf('e+');
  if (e < 0) return text;
  const [whole, fraction = ''] = text.slice(0, e).split('.');
  return whole + fraction + '0'.repeat(Number(text.slice(e + 2)) - fraction.length);
};
interface NumberOptions {
  style?: string;
  currency?: string;
  minimumFractionDigits?: number;
  maximumFractionDigits?: number;
  useGrouping?: boolean;
}
/**
 * Options this formatting does not honour are refused, not ignored: ignored, they would give a
 * plausible and wrong value (a time in UTC for another zone, `1,234,567` for compact notation)
 * that the model takes as right. An error tells it to format the parts itself.
 */
const refuseOtherOptions = (kind: 'Number' | 'Date', options: unknown, honoured: readonly string[]): void => {
  if (options === null || typeof options !== 'object') return;
  for (const key of Object.keys(options)) {
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined || honoured.includes(key)) continue;
    if (kind === 'Date' && key === 'timeZone' && /^(UTC|GMT|Etc\/(UTC|GMT))$/i.test(String(value))) continue;
    const shown = kind === 'Number' ? 'numbers as 1,234.5' : 'dates as 1/5/2026, 10:00:00 AM, in UTC';
    throw new RangeError(`${kind} format option ${key}: ${JSON.stringify(value)} is not available in the QuickJS sandbox (it has no Intl: it formats ${shown}). Format the parts yourself.`);
  }
};
const NUMBER_OPTIONS = ['style', 'currency', 'minimumFractionDigits', 'maximumFractionDigits', 'useGrouping', 'localeMatcher'] as const;
const formatNumber = (input: unknown, options: NumberOptions = {}): string => {
  refuseOtherOptions('Number', options, NUMBER_OPTIONS);
  let n = Number(input);
  const style = options.style ?? 'decimal';
  if (style !== 'decimal' && style !== 'percent' && style !== 'currency') throw new RangeError(`Number format style "${style}" is not available in the QuickJS sandbox (it has no Intl).`);
  if (style === 'percent') n *= 100;
  const defaultMax = style === 'currency' ? 2 : style === 'percent' ? 0 : 3;
  const min = options.minimumFractionDigits ?? (style === 'currency' ? 2 : 0);
  const max = Math.max(min, options.maximumFractionDigits ?? Math.max(defaultMax, min));
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '∞' : '-∞';
  const abs = Math.abs(n);
  let text: string;
  if (abs >= 2 ** 53) text = wholeDigits(abs) + (min > 0 ? `.${'0'.repeat(min)}` : '');
  else {
    text = abs.toFixed(max);
    if (max > min) text = text.replace(new RegExp(`\\.?0{1,${max - min}}$`), '');
  }
  const [whole, fraction] = text.split('.');
  let out = (options.useGrouping === false ? whole : group(whole!)) + (fraction ? `.${fraction}` : '');
  if (style === 'percent') out += '%';
  if (style === 'currency') {
    const code = String(options.currency ?? '').toUpperCase();
    const symbols: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', JPY: '¥', INR: '₹', CNY: 'CN¥', CAD: 'CA$', AUD: 'A$' };
    out = (symbols[code] ?? `${code} `) + out;
  }
  return n < 0 && /[1-9]/.test(out) ? `-${out}` : out;
};
// Methods (not `function toLocaleString`) so that each keeps its name without shadowing a global.
const numberMethods = {
  toLocaleString(this: number, _locales?: unknown, options?: NumberOptions) {
    return formatNumber(this, options);
  },
};
const bigintMethods = {
  toLocaleString(this: bigint) {
    const text = this.toString();
    return text.startsWith('-') ? `-${group(text.slice(1))}` : group(text);
  },
};
defineHidden(Number.prototype, 'toLocaleString', numberMethods.toLocaleString);
defineHidden(BigInt.prototype, 'toLocaleString', bigintMethods.toLocaleString);

// ── dates (the sandbox's zone is UTC) ────────────────────────────────────────────────────
const pad = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const dateText = (d: Date) => `${d.getMonth() + 1}/${d.getDate()}/${d.getFullYear()}`;
const timeText = (d: Date) => {
  const h = d.getHours();
  return `${h % 12 === 0 ? 12 : h % 12}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
};
const valid = (d: Date, format: (d: Date) => string) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : format(d));
const DATE_OPTIONS = ['localeMatcher'] as const;
const dateMethods = {
  toLocaleDateString(this: Date, _locales?: unknown, options?: unknown) {
    refuseOtherOptions('Date', options, DATE_OPTIONS);
    return valid(this, dateText);
  },
  toLocaleTimeString(this: Date, _locales?: unknown, options?: unknown) {
    refuseOtherOptions('Date', options, DATE_OPTIONS);
    return valid(this, timeText);
  },
  toLocaleString(this: Date, _locales?: unknown, options?: unknown) {
    refuseOtherOptions('Date', options, DATE_OPTIONS);
    return valid(this, (d) => `${dateText(d)}, ${timeText(d)}`);
  },
};
for (const name of ['toLocaleDateString', 'toLocaleTimeString', 'toLocaleString'] as const) defineHidden(Date.prototype, name, dateMethods[name]);

// ── Intl ─────────────────────────────────────────────────────────────────────────────────
if (typeof global.Intl === 'undefined') {
  // A class, so that `new Intl.Collator()` reaches the message rather than "is not a constructor".
  const missing = (name: string) =>
    class {
      constructor() {
        throw new TypeError(`Intl.${name} is not available in the QuickJS sandbox (QuickJS has no Intl; numbers and dates format as en-US).`);
      }
    };
  class NumberFormat {
    readonly #options: NumberOptions;
    constructor(_locales?: unknown, options: NumberOptions = {}) {
      formatNumber(0, options);
      this.#options = { ...options };
    }
    format(value: unknown): string {
      return formatNumber(value, this.#options);
    }
    resolvedOptions() {
      return { locale: 'en-US', numberingSystem: 'latn', style: this.#options.style ?? 'decimal', ...this.#options };
    }
  }
  class DateTimeFormat {
    constructor(_locales?: unknown, options?: unknown) {
      refuseOtherOptions('Date', options, DATE_OPTIONS);
    }
    format(value?: unknown): string {
      return valid(value === undefined ? new Date() : new Date(value as number), dateText);
    }
    resolvedOptions() {
      return { locale: 'en-US', calendar: 'gregory', numberingSystem: 'latn', timeZone: 'UTC' };
    }
  }
  const intl = {
    NumberFormat,
    DateTimeFormat,
    Collator: missing('Collator'),
    PluralRules: missing('PluralRules'),
    RelativeTimeFormat: missing('RelativeTimeFormat'),
    ListFormat: missing('ListFormat'),
    Segmenter: missing('Segmenter'),
    DisplayNames: missing('DisplayNames'),
    getCanonicalLocales: (locales?: unknown) => (locales === undefined ? [] : [].concat(locales as never)),
  };
  defineHidden(global, 'Intl', intl);
}
