import { describe, expect, it } from 'vitest';
import { ProgressBar, formatDuration, renderProgressLine, type ProgressStream } from './progress-bar.ts';

const CLEAR = '\r\x1b[2K';

class FakeStream implements ProgressStream {
  readonly writes: string[] = [];
  constructor(
    readonly isTTY: boolean | undefined,
    readonly columns?: number,
  ) {}
  write(text: string): boolean {
    this.writes.push(text);
    return true;
  }
}

/** A clock the test moves by hand. */
function fakeClock(start = 1_000): { now: () => number; set: (t: number) => void } {
  let t = start;
  return { now: () => t, set: (v) => (t = v) };
}

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [5, '0:05'],
    [59, '0:59'],
    [60, '1:00'],
    [61, '1:01'],
    [599, '9:59'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [3661, '1:01:01'],
    [36_000 + 65, '10:01:05'],
    [90_061, '25:01:01'],
  ])('formats %d s as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('rounds to the nearest second', () => {
    expect(formatDuration(59.4)).toBe('0:59');
    expect(formatDuration(59.5)).toBe('1:00');
    expect(formatDuration(3599.6)).toBe('1:00:00');
  });

  it('clamps negative durations to zero', () => {
    expect(formatDuration(-12)).toBe('0:00');
  });
});

describe('renderProgressLine', () => {
  it('shows only the count and rate without expected frames', () => {
    expect(renderProgressLine({ framesDone: 120, fps: 12.345 })).toBe('120 frames  12.3 fps');
  });

  it('ignores the ETA and a zero expected count without expected frames', () => {
    expect(renderProgressLine({ framesDone: 7, fps: 0, etaSeconds: 30 })).toBe('7 frames  0.0 fps');
    expect(renderProgressLine({ framesDone: 7, expectedFrames: 0, fps: 2 })).toBe('7 frames  2.0 fps');
  });

  it('draws a bar, percentage, count, rate and ETA with expected frames', () => {
    expect(renderProgressLine({ framesDone: 50, expectedFrames: 100, fps: 25, etaSeconds: 2 })).toBe(
      `[${'#'.repeat(14)}${'-'.repeat(14)}]   50%  50/100 frames  25.0 fps  ETA 0:02`,
    );
  });

  it('leaves the ETA out when unknown', () => {
    expect(renderProgressLine({ framesDone: 0, expectedFrames: 795, fps: 0 })).toBe(`[${'-'.repeat(28)}]    0%  0/795 frames  0.0 fps`);
  });

  it('shows a full bar at the end and caps overshoot at 100 %', () => {
    const full = `[${'#'.repeat(28)}]  100%`;
    expect(renderProgressLine({ framesDone: 795, expectedFrames: 795, fps: 31.8, etaSeconds: 0 })).toBe(
      `${full}  795/795 frames  31.8 fps  ETA 0:00`,
    );
    expect(renderProgressLine({ framesDone: 800, expectedFrames: 795, fps: 31.8 })).toBe(`${full}  800/795 frames  31.8 fps`);
  });

  it('rounds the filled part and honours the width', () => {
    // 1/3 of 10 cells is 3.33: 3 filled.
    expect(renderProgressLine({ framesDone: 1, expectedFrames: 3, fps: 1 }, 10)).toBe('[###-------]   33%  1/3 frames  1.0 fps');
    // 2/3 of 10 cells is 6.67: 7 filled.
    expect(renderProgressLine({ framesDone: 2, expectedFrames: 3, fps: 1 }, 10)).toBe('[#######---]   67%  2/3 frames  1.0 fps');
  });

  it('keeps the bar at its width at every step', () => {
    for (let done = 0; done <= 37; done++) {
      const line = renderProgressLine({ framesDone: done, expectedFrames: 37, fps: 10 });
      expect(line.indexOf(']')).toBe(29);
    }
  });
});

describe('ProgressBar', () => {
  it('writes nothing when the stream is not a TTY', () => {
    for (const isTTY of [false, undefined]) {
      const stream = new FakeStream(isTTY);
      const clock = fakeClock();
      const bar = new ProgressBar(stream, clock.now);
      expect(bar.enabled).toBe(false);
      for (let i = 1; i <= 10; i++) {
        clock.set(1_000 + i * 500);
        bar.update({ framesDone: i, expectedFrames: 10, fps: 5 });
      }
      bar.done();
      expect(stream.writes).toEqual([]);
    }
  });

  it('draws the line after clearing the terminal line', () => {
    const stream = new FakeStream(true, 120);
    const bar = new ProgressBar(stream, fakeClock().now);
    expect(bar.enabled).toBe(true);
    bar.update({ framesDone: 3, fps: 1.5 });
    expect(stream.writes).toEqual([`${CLEAR}3 frames  1.5 fps`]);
  });

  it('redraws at most once every 100 ms', () => {
    const stream = new FakeStream(true, 120);
    const clock = fakeClock(1_000);
    const bar = new ProgressBar(stream, clock.now);
    const drawnAt: number[] = [];
    for (let t = 1_000; t <= 1_300; t += 25) {
      clock.set(t);
      const before = stream.writes.length;
      bar.update({ framesDone: t, fps: 10 });
      if (stream.writes.length > before) drawnAt.push(t);
    }
    expect(drawnAt).toEqual([1_000, 1_100, 1_200, 1_300]);
    expect(stream.writes.at(-1)).toBe(`${CLEAR}1300 frames  10.0 fps`);
  });

  it('measures the 100 ms from the last draw, not the last update', () => {
    const stream = new FakeStream(true);
    const clock = fakeClock(1_000);
    const bar = new ProgressBar(stream, clock.now);
    for (const t of [1_000, 1_060, 1_099, 1_130, 1_150, 1_229, 1_230]) {
      clock.set(t);
      bar.update({ framesDone: t, fps: 1 });
    }
    expect(stream.writes.map((w) => w.replace(CLEAR, ''))).toEqual(['1000 frames  1.0 fps', '1130 frames  1.0 fps', '1230 frames  1.0 fps']);
  });

  it('always draws the final frame, even inside the throttle window', () => {
    const stream = new FakeStream(true, 200);
    const clock = fakeClock(1_000);
    const bar = new ProgressBar(stream, clock.now);
    bar.update({ framesDone: 99, expectedFrames: 100, fps: 20 });
    clock.set(1_010);
    bar.update({ framesDone: 100, expectedFrames: 100, fps: 20, etaSeconds: 0 });
    expect(stream.writes).toHaveLength(2);
    expect(stream.writes[1]).toBe(`${CLEAR}[${'#'.repeat(28)}]  100%  100/100 frames  20.0 fps  ETA 0:00`);
  });

  it('cuts the line to the terminal width minus one, but never below 20 characters', () => {
    const state = { framesDone: 50, expectedFrames: 100, fps: 25, etaSeconds: 2 };
    const full = renderProgressLine(state);

    const narrow = new FakeStream(true, 40);
    new ProgressBar(narrow, fakeClock().now).update(state);
    expect(narrow.writes).toEqual([CLEAR + full.slice(0, 39)]);

    const tiny = new FakeStream(true, 5);
    new ProgressBar(tiny, fakeClock().now).update(state);
    expect(tiny.writes).toEqual([CLEAR + full.slice(0, 20)]);

    // Unknown width: 100 columns are assumed, and the whole line (about 70 characters) fits.
    const unknown = new FakeStream(true);
    new ProgressBar(unknown, fakeClock().now).update(state);
    expect(full.length).toBeLessThan(99);
    expect(unknown.writes).toEqual([CLEAR + full]);
  });

  it('clears the line on done() only after something was drawn, and only once', () => {
    const stream = new FakeStream(true);
    const clock = fakeClock();
    const bar = new ProgressBar(stream, clock.now);
    bar.done();
    expect(stream.writes).toEqual([]);
    bar.update({ framesDone: 1, fps: 1 });
    bar.done();
    bar.done();
    expect(stream.writes).toEqual([`${CLEAR}1 frames  1.0 fps`, CLEAR]);
  });
});
