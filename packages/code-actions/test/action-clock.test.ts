import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ActionClock } from '../src/index.js';

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

  it('never fires once stopped', () => {
    const expired = vi.fn();
    const clock = new ActionClock(10, expired);
    clock.stop();
    vi.advanceTimersByTime(100);
    expect(expired).not.toHaveBeenCalled();
  });
});
