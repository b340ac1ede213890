/**
 * Decides, frame by frame, whether the detector needs to run. A cheap comparison of a small
 * grayscale copy of the frame against a running-average background: when enough pixels differ,
 * something moved. Idle frames are skipped, but a detection is forced every `forceEverySeconds`
 * so parked cars and people standing still are not forgotten.
 *
 * Pure and deterministic: feeding the same frames in the same order gives the same decisions,
 * which is what lets an interrupted analysis resume with identical results.
 */
export interface MotionGateOptions {
  enabled: boolean;
  /** A pixel counts as changed when its gray level differs from the background by more than this (0-255). */
  pixelThreshold: number;
  /** Motion is declared when at least this fraction of the pixels changed (0-1). */
  minChangedFraction: number;
  /** Force a detection when none ran for this many seconds; 0 disables forcing. */
  forceEverySeconds: number;
  /** Width of the grayscale copy the comparison runs on. */
  analysisWidth: number;
  /** How fast the background follows the scene (0-1 per frame). */
  backgroundAlpha: number;
}

export const DEFAULT_MOTION_GATE: MotionGateOptions = {
  enabled: true,
  pixelThreshold: 25,
  minChangedFraction: 0.002,
  forceEverySeconds: 10,
  analysisWidth: 96,
  backgroundAlpha: 0.2,
};

export type GateReason = 'first' | 'motion' | 'forced' | 'gate_off' | 'idle';

export interface GateDecision {
  detect: boolean;
  reason: GateReason;
  /** Fraction of pixels that changed against the background (0 for a first frame or a disabled gate). */
  changedFraction: number;
}

export interface GateInput {
  rgb: Uint8Array;
  width: number;
  height: number;
  ptsSeconds: number;
}

export class MotionGate {
  private readonly options: MotionGateOptions;
  private background: Float32Array | undefined;
  private lastDetectionPts = Number.NEGATIVE_INFINITY;

  constructor(options: Partial<MotionGateOptions> = {}) {
    this.options = { ...DEFAULT_MOTION_GATE, ...options };
  }

  decide(frame: GateInput): GateDecision {
    if (!this.options.enabled) return { detect: true, reason: 'gate_off', changedFraction: 0 };
    const gray = downscaleToGray(frame, this.options.analysisWidth);
    const changedFraction = this.compareAndUpdate(gray);
    const decision = this.classify(changedFraction, frame.ptsSeconds);
    if (decision.detect) this.lastDetectionPts = frame.ptsSeconds;
    return decision;
  }

  private classify(changedFraction: number | undefined, pts: number): GateDecision {
    if (changedFraction === undefined) return { detect: true, reason: 'first', changedFraction: 0 };
    if (this.lastDetectionPts === Number.NEGATIVE_INFINITY) return { detect: true, reason: 'first', changedFraction };
    if (changedFraction >= this.options.minChangedFraction) return { detect: true, reason: 'motion', changedFraction };
    const force = this.options.forceEverySeconds;
    if (force > 0 && pts - this.lastDetectionPts >= force) return { detect: true, reason: 'forced', changedFraction };
    return { detect: false, reason: 'idle', changedFraction };
  }

  /** Fraction of changed pixels; undefined when there is no background of this size to compare with. */
  private compareAndUpdate(gray: Float32Array): number | undefined {
    const bg = this.background;
    if (!bg || bg.length !== gray.length) {
      this.background = gray;
      return undefined;
    }
    const { pixelThreshold, backgroundAlpha } = this.options;
    let changed = 0;
    for (let i = 0; i < gray.length; i++) {
      const cur = gray[i]!;
      const ref = bg[i]!;
      if (Math.abs(cur - ref) > pixelThreshold) changed++;
      bg[i] = ref + backgroundAlpha * (cur - ref);
    }
    return changed / gray.length;
  }
}

/** Box-average an RGB frame down to `targetWidth` columns of gray levels (0-255). */
export function downscaleToGray(frame: GateInput, targetWidth: number): Float32Array {
  const outW = Math.max(1, Math.min(targetWidth, frame.width));
  const outH = Math.max(1, Math.round((frame.height * outW) / frame.width));
  const sums = new Float64Array(outW * outH);
  const counts = new Uint32Array(outW * outH);
  const { rgb, width, height } = frame;
  // Which output column each input column falls in, computed once per frame instead of per pixel.
  const column = new Uint32Array(width);
  for (let x = 0; x < width; x++) column[x] = Math.min(outW - 1, Math.floor((x * outW) / width));
  for (let y = 0; y < height; y++) {
    const rowOut = Math.min(outH - 1, Math.floor((y * outH) / height)) * outW;
    let p = y * width * 3;
    for (let x = 0; x < width; x++, p += 3) {
      const cell = rowOut + column[x]!;
      // ITU-R BT.601 luma weights.
      sums[cell]! += 0.299 * rgb[p]! + 0.587 * rgb[p + 1]! + 0.114 * rgb[p + 2]!;
      counts[cell]!++;
    }
  }
  const out = new Float32Array(outW * outH);
  for (let i = 0; i < out.length; i++) out[i] = sums[i]! / Math.max(1, counts[i]!);
  return out;
}
