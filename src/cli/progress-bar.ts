/** A one-line progress bar for terminals: frames, frames/s and ETA, redrawn at most 10 times a second. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

export interface ProgressState {
  framesDone: number;
  expectedFrames?: number;
  fps: number;
  etaSeconds?: number;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export function renderProgressLine(state: ProgressState, width = 28): string {
  const { framesDone, expectedFrames, fps, etaSeconds } = state;
  const count = expectedFrames ? `${framesDone}/${expectedFrames} frames` : `${framesDone} frames`;
  const rate = `${fps.toFixed(1)} fps`;
  const eta = etaSeconds !== undefined ? `ETA ${formatDuration(etaSeconds)}` : '';
  if (!expectedFrames) return [count, rate].join('  ');
  const ratio = Math.min(1, framesDone / expectedFrames);
  const filled = Math.round(ratio * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  return [bar, `${(ratio * 100).toFixed(0).padStart(3)}%`, count, rate, eta].filter(Boolean).join('  ');
}

export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(state: ProgressState): void {
    if (!this.enabled) return;
    const t = this.now();
    if (t - this.lastDraw < 100 && state.framesDone !== state.expectedFrames) return;
    this.lastDraw = t;
    const line = renderProgressLine(state).slice(0, Math.max(20, (this.stream.columns ?? 100) - 1));
    this.stream.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }

  /** Clears the bar so that the next output starts on a clean line. */
  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
