import { describe, expect, it } from 'vitest';
import { extractCode } from '../src/index.js';

describe('extractCode', () => {
  it('takes every tag-delimited block, in order', () => {
    expect(extractCode('Thought.\n<code>\nconst a = 1;\n</code>\nMore.\n<code>console.log(a)</code>')).toBe(
      'const a = 1;\n\nconsole.log(a)',
    );
  });

  it('accepts a block left open by the stop sequence', () => {
    expect(extractCode('I will add.\n<code>\nadd({ a: 1, b: 2 })\n')).toBe('add({ a: 1, b: 2 })');
  });

  it('falls back to fenced js/ts blocks and ignores other languages', () => {
    const reply = 'Data:\n```json\n{"a": 1}\n```\nCode:\n```ts\nconst x: number = 1;\n```\n```js\nconsole.log(x)\n```';
    expect(extractCode(reply)).toBe('const x: number = 1;\n\nconsole.log(x)');
    expect(extractCode('```\nplain()\n```')).toBe('plain()');
  });

  it('strips a fence written inside the tags', () => {
    expect(extractCode('<code>\n```javascript\nfinal_answer(1)\n```\n</code>')).toBe('final_answer(1)');
  });

  it('supports a custom tag pair', () => {
    expect(extractCode('<run>go()</run>', { open: '<run>', close: '</run>' })).toBe('go()');
  });

  it('returns undefined when there is no code', () => {
    expect(extractCode('Just talking.')).toBeUndefined();
    expect(extractCode('<code>   </code>')).toBeUndefined();
  });
});
