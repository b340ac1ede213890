import { describe, expect, it } from 'vitest';
import type { CameraLiveState } from './live-camera.ts';
import { cameraReport } from './live-cameras.service.ts';

const state = (over: Partial<CameraLiveState>): CameraLiveState => ({
  cameraId: 'door',
  status: 'streaming',
  inputFps: 5,
  processedFps: 2,
  framesIn: 0,
  framesProcessed: 0,
  framesDropped: 0,
  queueDepth: 3,
  reconnects: 0,
  ...over,
});

describe('cameraReport', () => {
  it('counts frames, drops and reconnects since the previous report', () => {
    const previous = state({ framesIn: 100, framesProcessed: 40, framesDropped: 60, reconnects: 1 });
    const now = state({ framesIn: 400, framesProcessed: 160, framesDropped: 240, reconnects: 1, lastFrameAtMs: Date.UTC(2026, 10, 22, 4, 0, 0) });
    expect(cameraReport(now, previous)).toEqual({
      camera: 'door',
      status: 'streaming',
      inputFps: 5,
      processedFps: 2,
      framesIn: 300,
      framesProcessed: 120,
      framesDropped: 180,
      reconnects: 0,
      queueDepth: 3,
      lastFrameAt: '2026-11-22T04:00:00.000Z',
    });
  });

  it('counts from zero on the first report and names the error of a camera that is not streaming', () => {
    const report = cameraReport(state({ status: 'waiting', framesIn: 7, reconnects: 3, lastError: 'connection refused' }), undefined);
    expect(report).toMatchObject({ status: 'waiting', framesIn: 7, reconnects: 3, lastError: 'connection refused' });
    expect(cameraReport(state({ lastError: 'old hiccup' }), undefined)).not.toHaveProperty('lastError');
  });
});
