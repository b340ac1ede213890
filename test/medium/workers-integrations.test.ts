import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startVigilServer } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { type MqttProbe, startProbe } from '../support/mqtt-probe.ts';
import { startTestBroker, type TestBroker } from '../support/mqtt-broker.ts';
import { sampleExcerpt } from '../support/media.ts';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../support/postgres.ts';
import { killWorker, startWorker, type WorkerProcess, writeWorkerConfig } from '../support/workers.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
/** The worker starts from source (tsx), loads the detector and meets someone crossing: slow here. */
const EVENT_TIMEOUT_MS = 90_000;

/**
 * A `vigil serve --no-cameras` with MQTT and a `vigil worker` process that analyses the camera,
 * sharing one PostgreSQL database: the events the worker stores are published by the server
 * (NOTIFY between the processes, SharedEventFeed), as they would be by a single Vigil.
 */
describe.skipIf(await skipWithoutPostgres('events of vigil workers published by vigil serve'))('vigil serve publishing the events of a vigil worker', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let probe: MqttProbe;
  let dir: string;
  let server: RunningServer | undefined;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    broker = await startTestBroker();
    dir = mkdtempSync(join(tmpdir(), 'vigil-workers-mqtt-'));
    const file = writeWorkerConfig(dir, {
      databaseUrl: db.url,
      dataDir: join(dir, 'data'),
      clip: sampleExcerpt('street', 10, 16),
      cameras: ['cam-a'],
      leaseS: 3,
      // As the live-camera test: at 5 fps the tracker follows the people across the tripwire.
      fps: 5,
      mqtt: { host: '127.0.0.1', port: broker.port },
    });
    probe = await startProbe(broker.url);
    await probe.subscribe('vigil/#');
    const loaded = await loadConfig({ file, explicit: true, env: {}, cwd: dir });
    server = await startVigilServer(loaded, { host: '127.0.0.1', port: 0, logger: silent, runsCameras: false });
    await server.integrationsReady;
    worker = startWorker(file);
  });

  afterAll(async () => {
    if (worker) await killWorker(worker);
    await server?.close();
    await probe?.close();
    await broker?.stop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("publishes on vigil/events the events the worker stored, as the server's API reads them", async () => {
    const message = await probe
      .waitFor((m) => m.topic === 'vigil/events' && m.text.includes('"cam-a"'), EVENT_TIMEOUT_MS, 'an event of cam-a on vigil/events')
      .catch(async (error: unknown) => {
        const stored = await fetch(`${server!.url}/api/events?limit=5`).then((r) => r.text());
        throw new Error(`no event was published; stored: ${stored.slice(0, 1500)}\n--- worker\n${worker?.output().slice(-4000)}`, { cause: error });
      });
    const published = JSON.parse(message.text) as { type: string; event: { id: string; camera: string; type: string } };
    expect(published.type).toMatch(/^(new|update)$/);
    expect(published.event.camera).toBe('cam-a');
    // The server ran no camera: the event is the worker's, read from the shared database.
    const response = await fetch(`${server!.url}/api/events/${encodeURIComponent(published.event.id)}`);
    expect(response.status).toBe(200);
    const stored = (await response.json()) as { id: string; camera_id?: string; cameraId?: string; type: string };
    expect(stored.id).toBe(published.event.id);
    expect(stored.type).toBe(published.event.type);
    expect(worker?.exited()).toBeUndefined();
  });
});
