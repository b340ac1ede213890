import { afterEach, describe, expect, it } from 'vitest';
import { storageBackends, type TestStorage } from './backends.ts';

const NOW = 1_800_000_000_000;
const frame = (index: number) => ({ index, timestampMs: NOW + index * 200, ptsSeconds: index / 5, detected: false, changedFraction: 0, detections: [] });

describe.each(await storageBackends())('write fencing by camera leases on %s', (backend) => {
  let opened: TestStorage | undefined;
  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it("stores a live camera's frames while its lease is current, and refuses them once another worker took the camera", async () => {
    opened = await backend.create({ now: () => NOW });
    const { storage } = opened;
    const sourceId = await storage.analyses.upsertSource({ uri: 'rtsp://door', kind: 'stream', fingerprint: 'url:rtsp://door', codec: 'h264', width: 640, height: 480, fps: 5 }, 'door');
    const claim = await storage.analyses.claimRun({ sourceId, cameraId: 'door', settingsKey: 'k', settings: { session: NOW }, startTimeMs: NOW, startTimeSource: 'clock', startedAt: NOW });
    const lease = (await storage.workers.acquire('door', 'w1', NOW, 15_000))!;
    const fence = { cameraId: 'door', holder: lease.holder, generation: lease.generation };
    expect((await storage.analyses.commitFrames(claim.run.id, [frame(0)], { fence })).lastFrameIndex).toBe(0);

    // w1 stalls past its lease; w2 takes the camera. w1's next batch is refused whole.
    await storage.workers.acquire('door', 'w2', NOW + 15_000, 15_000);
    await expect(storage.analyses.commitFrames(claim.run.id, [frame(1)], { fence })).rejects.toMatchObject({ code: 'lease_lost' });
    expect((await storage.analyses.readFrames(claim.run.id, 10)).map((f) => f.index)).toEqual([0]);
  });
});
