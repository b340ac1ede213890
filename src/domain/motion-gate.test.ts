import { describe, expect, it } from 'vitest';
import { DEFAULT_MOTION_GATE, MotionGate, downscaleToGray, type GateDecision, type GateInput, type GateReason } from './motion-gate.ts';

const W = 160;
const H = 120;

function uniformRgb(r: number, g: number, b: number, width = W, height = H): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i += 3) {
    rgb[i] = r;
    rgb[i + 1] = g;
    rgb[i + 2] = b;
  }
  return rgb;
}

/** A copy of `base` with a gray-level `value` square of `size` pixels at (x, y). */
function withSquare(base: Uint8Array, x: number, y: number, size: number, value = 255, width = W): Uint8Array {
  const rgb = base.slice();
  for (let row = y; row < y + size; row++) {
    for (let col = x; col < x + size; col++) {
      const p = (row * width + col) * 3;
      rgb[p] = value;
      rgb[p + 1] = value;
      rgb[p + 2] = value;
    }
  }
  return rgb;
}

const frame = (rgb: Uint8Array, ptsSeconds: number, width = W, height = H): GateInput => ({ rgb, width, height, ptsSeconds });

const dark = uniformRgb(10, 10, 10);
const reasons = (decisions: readonly GateDecision[]): GateReason[] => decisions.map((d) => d.reason);

describe('MotionGate', () => {
  it('uses the documented defaults', () => {
    expect(DEFAULT_MOTION_GATE).toEqual({
      enabled: true,
      pixelThreshold: 25,
      minChangedFraction: 0.002,
      forceEverySeconds: 10,
      analysisWidth: 96,
      backgroundAlpha: 0.2,
    });
  });

  it('detects the first frame with reason "first" and no change', () => {
    const gate = new MotionGate();
    expect(gate.decide(frame(dark, 0))).toEqual({ detect: true, reason: 'first', changedFraction: 0 });
  });

  it('skips identical frames after the first as "idle"', () => {
    const gate = new MotionGate();
    gate.decide(frame(dark, 0));
    for (let i = 1; i <= 5; i++) {
      expect(gate.decide(frame(dark, i * 0.5))).toEqual({ detect: false, reason: 'idle', changedFraction: 0 });
    }
  });

  it('declares motion for a bright square covering more than the minimum fraction', () => {
    const gate = new MotionGate();
    gate.decide(frame(dark, 0));
    gate.decide(frame(dark, 0.1));
    const d = gate.decide(frame(withSquare(dark, 20, 20, 20), 0.2));
    expect(d.detect).toBe(true);
    expect(d.reason).toBe('motion');
    // 20x20 of 160x120 is 2.1 % of the frame; box averaging may blur the edges by one cell.
    expect(d.changedFraction).toBeGreaterThan(0.015);
    expect(d.changedFraction).toBeLessThan(0.03);
  });

  it('counts changed pixels exactly when the analysis runs at full width', () => {
    const gate = new MotionGate({ analysisWidth: W });
    gate.decide(frame(dark, 0));
    const appear = gate.decide(frame(withSquare(dark, 20, 20, 20), 0.1));
    expect(appear).toEqual({ detect: true, reason: 'motion', changedFraction: 400 / (W * H) });
    // The square moves: its new place changed, and its old place still differs from the
    // background, which only moved 20 % of the way towards the square (10 + 0.2 * 245 = 59).
    const moved = gate.decide(frame(withSquare(dark, 100, 60, 20), 0.2));
    expect(moved).toEqual({ detect: true, reason: 'motion', changedFraction: 800 / (W * H) });
  });

  it('stays idle for a tiny change below the minimum fraction', () => {
    const gate = new MotionGate({ analysisWidth: W });
    gate.decide(frame(dark, 0));
    // 2x2 pixels changed: 4 / 19200, about 0.0002, a tenth of the 0.002 minimum.
    const d = gate.decide(frame(withSquare(dark, 50, 50, 2), 0.1));
    expect(d).toEqual({ detect: false, reason: 'idle', changedFraction: 4 / (W * H) });
  });

  it('stays idle for a tiny change with the default analysis width', () => {
    const gate = new MotionGate();
    gate.decide(frame(dark, 0));
    const d = gate.decide(frame(withSquare(dark, 50, 50, 2), 0.1));
    expect(d.detect).toBe(false);
    expect(d.reason).toBe('idle');
    expect(d.changedFraction).toBeLessThan(DEFAULT_MOTION_GATE.minChangedFraction);
  });

  it('ignores a global brightness change within the pixel threshold', () => {
    const gate = new MotionGate();
    gate.decide(frame(uniformRgb(100, 100, 100), 0));
    // 20 gray levels brighter everywhere: below the 25-level threshold.
    expect(gate.decide(frame(uniformRgb(120, 120, 120), 0.1))).toEqual({ detect: false, reason: 'idle', changedFraction: 0 });
    // 30 levels above the background (which moved 4 levels towards 120): every pixel changed.
    expect(gate.decide(frame(uniformRgb(134, 134, 134), 0.2))).toEqual({ detect: true, reason: 'motion', changedFraction: 1 });
  });

  it('forces a detection after forceEverySeconds of idle frames and restarts the count', () => {
    const gate = new MotionGate({ forceEverySeconds: 10 });
    const decisions = Array.from({ length: 26 }, (_, second) => gate.decide(frame(dark, second)));
    const expected: GateReason[] = decisions.map((_, s) => (s === 0 ? 'first' : s % 10 === 0 ? 'forced' : 'idle'));
    expect(reasons(decisions)).toEqual(expected);
    expect(decisions[10]).toEqual({ detect: true, reason: 'forced', changedFraction: 0 });
    expect(decisions.filter((d) => d.detect)).toHaveLength(3);
  });

  it('counts the forcing interval from the last detection of any kind', () => {
    // backgroundAlpha 1: the background is always the previous frame, so a change shows once.
    const gate = new MotionGate({ forceEverySeconds: 10, analysisWidth: W, backgroundAlpha: 1 });
    const out: GateDecision[] = [gate.decide(frame(dark, 0))];
    for (let s = 1; s <= 16; s++) {
      // The square appears at 4 s and is gone again at 5 s: two changes in a row.
      out.push(gate.decide(frame(s === 4 ? withSquare(dark, 20, 20, 40) : dark, s)));
    }
    expect(reasons(out)).toEqual([
      'first', 'idle', 'idle', 'idle', 'motion', 'motion',
      'idle', 'idle', 'idle', 'idle', 'idle', 'idle', 'idle', 'idle', 'idle',
      'forced', // 15 s: 10 s after the last detection at 5 s, not at 10 s
      'idle',
    ]);
  });

  it('never forces when forceEverySeconds is 0', () => {
    const gate = new MotionGate({ forceEverySeconds: 0 });
    const decisions = Array.from({ length: 120 }, (_, second) => gate.decide(frame(dark, second)));
    expect(decisions.slice(1).every((d) => d.reason === 'idle' && !d.detect)).toBe(true);
  });

  it('answers "gate_off" and detects every frame when disabled', () => {
    const gate = new MotionGate({ enabled: false, analysisWidth: W });
    const frames = [dark, dark, withSquare(dark, 10, 10, 30), dark, dark];
    const decisions = frames.map((rgb, i) => gate.decide(frame(rgb, i)));
    expect(decisions.every((d) => d.detect && d.reason === 'gate_off')).toBe(true);
    // A disabled gate does no image work at all (it would only cost the detector CPU time).
    expect(decisions.map((d) => d.changedFraction)).toEqual([0, 0, 0, 0, 0]);
  });

  it('treats a change of frame size like a first frame (detects, no stale comparison)', () => {
    const gate = new MotionGate({ analysisWidth: W, forceEverySeconds: 0 });
    expect(gate.decide(frame(dark, 0)).reason).toBe('first');
    expect(gate.decide(frame(dark, 1)).reason).toBe('idle');
    const smaller = { rgb: new Uint8Array((W / 2) * (H / 2) * 3), width: W / 2, height: H / 2, ptsSeconds: 2 };
    expect(gate.decide(smaller)).toEqual({ detect: true, reason: 'first', changedFraction: 0 });
    expect(gate.decide({ ...smaller, ptsSeconds: 3 }).reason).toBe('idle');
  });

  it('is deterministic: two gates fed the same frames decide the same', () => {
    // A reproducible pseudo-random walk of a square over a slightly noisy background.
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const frames: GateInput[] = [];
    let x = 10;
    let y = 10;
    for (let i = 0; i < 60; i++) {
      const noisy = dark.slice();
      for (let p = 0; p < 200; p++) noisy[Math.floor(rand() * noisy.length)] = Math.floor(rand() * 60);
      if (i % 20 < 3) {
        x = Math.min(W - 25, x + Math.floor(rand() * 10));
        y = Math.min(H - 25, y + Math.floor(rand() * 6));
      }
      frames.push(frame(withSquare(noisy, x, y, 24), i * 0.5));
    }
    const a = new MotionGate({ forceEverySeconds: 3 });
    const b = new MotionGate({ forceEverySeconds: 3 });
    const da = frames.map((f) => a.decide(f));
    const db = frames.map((f) => b.decide(f));
    expect(db).toEqual(da);
    // The sequence exercises more than one branch, so the comparison means something.
    expect(new Set(reasons(da))).toEqual(new Set<GateReason>(['first', 'motion', 'idle', 'forced']));
  });
});

describe('downscaleToGray', () => {
  it('gives the BT.601 luma of a uniform frame in every cell', () => {
    const gray = downscaleToGray(frame(uniformRgb(200, 100, 50), 0), 96);
    // 96 wide keeps 4:3: 72 rows.
    expect(gray).toHaveLength(96 * 72);
    const luma = 0.299 * 200 + 0.587 * 100 + 0.114 * 50; // 124.2
    for (const v of gray) expect(v).toBeCloseTo(luma, 4);
  });

  it('weights red, green and blue by 0.299, 0.587 and 0.114', () => {
    const at = (r: number, g: number, b: number) => downscaleToGray(frame(uniformRgb(r, g, b, 4, 4), 0, 4, 4), 4)[0];
    expect(at(255, 0, 0)).toBeCloseTo(76.245, 4);
    expect(at(0, 255, 0)).toBeCloseTo(149.685, 4);
    expect(at(0, 0, 255)).toBeCloseTo(29.07, 4);
    expect(at(255, 255, 255)).toBeCloseTo(255, 4);
    expect(at(0, 0, 0)).toBe(0);
  });

  it('averages the pixels that fall into each cell', () => {
    // 4x2: two black columns, then two white ones; down to 2x1.
    const rgb = new Uint8Array(4 * 2 * 3);
    for (const row of [0, 1]) for (const col of [2, 3]) rgb.fill(255, (row * 4 + col) * 3, (row * 4 + col) * 3 + 3);
    const gray = downscaleToGray(frame(rgb, 0, 4, 2), 2);
    expect(gray).toHaveLength(2);
    expect(gray[0]).toBe(0);
    expect(gray[1]).toBeCloseTo(255, 4);
    // Down to one cell: the mean of all eight pixels.
    expect(downscaleToGray(frame(rgb, 0, 4, 2), 1)[0]).toBeCloseTo(127.5, 4);
  });

  it('never upscales: a target wider than the frame keeps the frame size', () => {
    expect(downscaleToGray(frame(dark, 0), 640)).toHaveLength(W * H);
  });
});
