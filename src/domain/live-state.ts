export type LiveStatus = 'connecting' | 'streaming' | 'waiting' | 'stopped';

/** One camera as the API, the UI and the logs show it. */
export interface CameraLiveState {
  cameraId: string;
  status: LiveStatus;
  /** Frames per second decoded from the input, and processed (analysed), over the last 10 s. */
  inputFps: number;
  processedFps: number;
  framesIn: number;
  framesProcessed: number;
  /**
   * Frames never analysed (the queue was full: detection fell behind) or analysed but not stored
   * (the session failed: these are counted in `framesProcessed` too).
   */
  framesDropped: number;
  queueDepth: number;
  /** Sessions that ended and were started again. */
  reconnects: number;
  lastFrameAtMs?: number;
  connectedSinceMs?: number;
  lastError?: string;
  lastErrorAtMs?: number;
  /** When `waiting`: the next connection attempt. */
  nextAttemptAtMs?: number;
}
