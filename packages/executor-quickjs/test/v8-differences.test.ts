import { afterAll, describe, expect, it } from 'vitest';
import { QuickJSExecutor } from '../src/index.js';

/** What model-written code commonly uses where QuickJS differs from V8: made to behave like Node (en-US, UTC). */
describe('QuickJS: the common V8 behaviours code actions rely on', () => {
  const executor = new QuickJSExecutor();
  afterAll(() => executor.close());
  const value = async (code: string) => {
    const r = await executor.execute(code, { tools: [] });
    expect(r.error).toBeUndefined();
    return r.value;
  };

  it('formats numbers with grouping, fraction digits, percent and currency', async () => {
    expect(await value('(1234567.891).toLocaleString()')).toBe("'1,234,567.891'");
    expect(await value('(1234.5).toLocaleString("en-US", { minimumFractionDigits: 2 })')).toBe("'1,234.50'");
    expect(await value('(-0.256).toLocaleString(undefined, { style: "percent" })')).toBe("'-26%'");
    expect(await value('new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(1234.5)')).toBe("'$1,234.50'");
    expect(await value('(12345678901234567890n).toLocaleString()')).toBe("'12,345,678,901,234,567,890'");
    // Past 2^53 the digits are the number's shortest ones, as V8 writes them; from 1e21 on, not an exponent.
    expect(await value('(123456789012345680000).toLocaleString()')).toBe("'123,456,789,012,345,680,000'");
    expect(await value('(-1e21).toLocaleString()')).toBe("'-1,000,000,000,000,000,000,000'");
    expect(await value('(1.5e22).toLocaleString(undefined, { minimumFractionDigits: 2 })')).toBe("'15,000,000,000,000,000,000,000.00'");
  });

  it('formats dates like Node in en-US and UTC, and parses the common formats', async () => {
    expect(await value('new Date(Date.UTC(2026, 0, 5, 15, 4, 5)).toLocaleDateString()')).toBe("'1/5/2026'");
    expect(await value('new Date(Date.UTC(2026, 0, 5, 15, 4, 5)).toLocaleString()')).toBe("'1/5/2026, 3:04:05 PM'");
    expect(await value('new Date(Date.UTC(2026, 0, 5, 0, 4, 5)).toLocaleTimeString()')).toBe("'12:04:05 AM'");
    expect(await value('[new Date("2026-01-05").toISOString(), new Date("2026-01-05T10:00:00Z").getTime(), new Date("2026-01-05 10:00").getUTCHours()]')).toBe(
      "[ '2026-01-05T00:00:00.000Z', 1767607200000, 10 ]",
    );
  });

  it('has structuredClone for data, keeping cycles, and refusing functions like V8', async () => {
    expect(await value('const o = { d: new Date(0), m: new Map([[1, [2]]]), s: new Set([3]) }; o.self = o;\nconst c = structuredClone(o);\n[c !== o, c.self === c, c.d.getTime(), c.m.get(1)[0], c.s.has(3), c.m.get(1) !== o.m.get(1)]')).toBe(
      '[ true, true, 0, 2, true, true ]',
    );
    const r = await executor.execute('structuredClone({ f() {} })', { tools: [] });
    expect(r.error).toMatchObject({ name: 'DataCloneError' });
  });

  it('refuses formatting options it would not honour, naming them, where it would otherwise give a plausible wrong value', async () => {
    const refused = async (code: string) => (await executor.execute(code, { tools: [] })).error?.message;
    expect(await refused('new Date(Date.UTC(2024, 0, 5, 3)).toLocaleString("en-US", { timeZone: "Asia/Tokyo" })')).toMatch(
      /^Date format option timeZone: "Asia\/Tokyo" is not available in the QuickJS sandbox \(it has no Intl: it formats dates as 1\/5\/2026, 10:00:00 AM, in UTC\)\. Format the parts yourself\./,
    );
    expect(await refused('new Intl.DateTimeFormat("en-US", { month: "short" }).format(new Date())')).toMatch(/Date format option month: "short" is not available/);
    expect(await refused('new Date().toLocaleDateString("en-US", { dateStyle: "medium" })')).toMatch(/Date format option dateStyle: "medium"/);
    expect(await refused('new Intl.NumberFormat("en-US", { notation: "compact" }).format(1234567)')).toMatch(/Number format option notation: "compact" is not available/);
    expect(await refused('(1234.5).toLocaleString("en-US", { maximumSignificantDigits: 2 })')).toMatch(/Number format option maximumSignificantDigits: 2/);
    // What it honours still works, a UTC zone included.
    expect(await value('new Date(Date.UTC(2024, 0, 5, 3)).toLocaleString("en-US", { timeZone: "UTC" })')).toBe("'1/5/2024, 3:00:00 AM'");
    expect(await value('(0.5).toLocaleString("en-US", { style: "percent", maximumFractionDigits: 1, useGrouping: false })')).toBe("'50%'");
  });

  it('takes at most 65 534 arguments in a spread, and a loop does the same work', async () => {
    const r = await executor.execute('Math.max(...new Array(70000).fill(1))', { tools: [] });
    expect(r.error).toMatchObject({ name: 'RangeError' });
    expect(await value('new Array(70000).fill(1).reduce((a, b) => Math.max(a, b))')).toBe('1');
  });

  it('says clearly what Intl lacks', async () => {
    const r = await executor.execute('new Intl.Collator("de").compare("a", "b")', { tools: [] });
    expect(r.error?.message).toMatch(/Intl\.Collator is not available in the QuickJS sandbox/);
  });

  it('runs the RegExp features models use: named groups, lookbehind, sticky, unicode, hasIndices', async () => {
    expect(await value('const m = /(?<y>\\d{4})-(?<m>\\d{2})/u.exec("on 2026-01");\n[m.groups.y, "price: $42".match(/(?<=\\$)\\d+/)[0], /a/y.sticky, /\\p{L}+/u.test("é"), /b/d.exec("ab").indices[0][0], "a-b_c".replaceAll(/[-_]/g, " ")]')).toBe(
      "[ '2026', '42', true, true, 1, 'a b c' ]",
    );
  });
});
