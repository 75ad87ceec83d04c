import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ActionClock } from '../src/index.js';
import { tripMs } from '../src/sandbox/index.js';

describe('ActionClock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires after the limit of computing time', () => {
    const expired = vi.fn();
    new ActionClock(100, expired);
    vi.advanceTimersByTime(99);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2);
    expect(expired).toHaveBeenCalledOnce();
  });

  it('does not count paused time, nested pauses included', () => {
    const expired = vi.fn();
    const clock = new ActionClock(100, expired);
    vi.advanceTimersByTime(60);
    clock.pause();
    clock.pause();
    vi.advanceTimersByTime(1000);
    clock.resume();
    vi.advanceTimersByTime(1000);
    expect(expired).not.toHaveBeenCalled();
    clock.resume();
    vi.advanceTimersByTime(39);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2);
    expect(expired).toHaveBeenCalledOnce();
  });

  it('counts charged time as the code\'s: the way to another process and back, not the tool', () => {
    const expired = vi.fn();
    const clock = new ActionClock(100, expired);
    vi.advanceTimersByTime(40);
    // A call that waited 50 ms, of which the tool took 20: 30 ms were the trip there and back,
    // charged while the clock is paused, as the child process does.
    clock.pause();
    vi.advanceTimersByTime(50);
    clock.charge(tripMs(50, 20));
    clock.resume();
    vi.advanceTimersByTime(29);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2);
    expect(expired).toHaveBeenCalledOnce();
  });

  it('fires on time after a charge, also when its timer came due during the pause', () => {
    const expired = vi.fn();
    const clock = new ActionClock(100, expired);
    vi.advanceTimersByTime(40);
    clock.pause();
    // The timer comes due while paused and is armed again for the 60 ms left then.
    vi.advanceTimersByTime(200);
    clock.charge(50);
    clock.resume();
    vi.advanceTimersByTime(9);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2);
    expect(expired).toHaveBeenCalledOnce();
  });

  it('charges nothing negative, not a number, or once stopped', () => {
    const expired = vi.fn();
    const clock = new ActionClock(100, expired);
    clock.charge(-50);
    clock.charge(Number.NaN);
    vi.advanceTimersByTime(101);
    expect(expired).toHaveBeenCalledOnce();
    const stopped = new ActionClock(100, expired);
    stopped.stop();
    stopped.charge(500);
    expect(stopped.expired).toBe(false);
    // A report of the tool's time that is missing or not a number counts none of the wait.
    expect([tripMs(50, 20), tripMs(50, 80), tripMs(50, undefined), tripMs(50, Number.NaN), tripMs(50, -1)]).toEqual([30, 0, 0, 0, 0]);
  });

  it('expires on resume when the time ran out just before a pause', () => {
    const expired = vi.fn();
    const clock = new ActionClock(50, expired);
    vi.advanceTimersByTime(49.9);
    clock.pause();
    vi.advanceTimersByTime(500);
    expect(expired).not.toHaveBeenCalled();
    clock.resume();
    vi.advanceTimersByTime(2);
    expect(expired).toHaveBeenCalledOnce();
  });

  it('pauses around a tool call: until it answers, at once or later, or throws', async () => {
    const expired = vi.fn();
    const clock = new ActionClock(100, expired);
    vi.advanceTimersByTime(60);
    // A tool that answers at once gets its answer back as is, not a promise; its time is not counted.
    expect(
      clock.paused(() => {
        vi.advanceTimersByTime(1000);
        return 'now';
      }),
    ).toBe('now');
    expect(() =>
      clock.paused(() => {
        vi.advanceTimersByTime(1000);
        throw new Error('tool failed');
      }),
    ).toThrow('tool failed');
    let answer!: (value: string) => void;
    const later = clock.paused(() => new Promise<string>((resolve) => (answer = resolve)));
    vi.advanceTimersByTime(1000);
    expect(expired).not.toHaveBeenCalled();
    answer('later');
    expect(await later).toBe('later');
    // Each call resumed the clock: 40 ms were left, and they run out now.
    vi.advanceTimersByTime(39);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2);
    expect(expired).toHaveBeenCalledOnce();
  });

  it('takes a limit longer than a timer can wait (2³¹ − 1 ms), and still expires at it', () => {
    const expired = vi.fn();
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const limit = 3 * 0x7fffffff;
    new ActionClock(limit, expired);
    vi.advanceTimersByTime(limit - 10);
    expect(expired).not.toHaveBeenCalled();
    // Re-armed for the time left, never for more than a timer holds: three timers, not one per millisecond.
    expect(timers.mock.calls.length).toBeLessThanOrEqual(4);
    expect(timers.mock.calls.every(([, ms]) => (ms ?? 0) <= 0x7fffffff)).toBe(true);
    vi.advanceTimersByTime(20);
    expect(expired).toHaveBeenCalledOnce();
    timers.mockRestore();
  });

  it('never fires once stopped', () => {
    const expired = vi.fn();
    const clock = new ActionClock(10, expired);
    clock.stop();
    vi.advanceTimersByTime(100);
    expect(expired).not.toHaveBeenCalled();
  });
});
