import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startVigilServer } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { waitFor } from '../support/live.ts';
import { type MqttProbe, type ProbeMessage, startProbe } from '../support/mqtt-probe.ts';
import { startTestBroker, type TestBroker } from '../support/mqtt-broker.ts';
import { sampleExcerpt } from '../support/media.ts';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../support/postgres.ts';
import { killWorker, startWorker, type WorkerProcess, writeWorkerConfig } from '../support/workers.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
/** The worker starts from source (tsx), loads the detector and meets someone crossing: slow here. */
const EVENT_TIMEOUT_MS = 90_000;

interface Published {
  type: string;
  event: { id: string; camera: string; type: string };
}
const published = (m: ProbeMessage) => JSON.parse(m.text) as Published;
const isEvent = (m: ProbeMessage) => m.topic === 'vigil/events' && m.text.includes('"cam-a"');

/**
 * Two `vigil serve --no-cameras` with MQTT and a `vigil worker` process that analyses the camera,
 * sharing one PostgreSQL database: the events the worker stores are published by the server that
 * runs the integrations (NOTIFY between the processes, SharedEventFeed), once; one server at a
 * time runs them (an advisory lock), and the other takes over when it stops.
 */
describe.skipIf(await skipWithoutPostgres('events of vigil workers published by vigil serve'))('vigil serve publishing the events of a vigil worker', () => {
  let db: TestDatabase;
  let broker: TestBroker;
  let probe: MqttProbe;
  let dir: string;
  let first: RunningServer | undefined;
  let second: RunningServer | undefined;
  let worker: WorkerProcess | undefined;
  const workerLog = () => `--- worker\n${worker?.output().slice(-4000)}`;

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
    // The first elected runs the integrations; the second waits to take them over.
    first = await startVigilServer(loaded, { host: '127.0.0.1', port: 0, logger: silent, runsCameras: false });
    await first.integrationsReady;
    second = await startVigilServer(loaded, { host: '127.0.0.1', port: 0, logger: silent, runsCameras: false });
    worker = startWorker(file);
  });

  afterAll(async () => {
    if (worker) await killWorker(worker);
    await first?.close();
    await second?.close();
    await probe?.close();
    await broker?.stop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("publishes an event the worker stored once, as the servers' API reads it", async () => {
    const news = () => probe.messages.filter(isEvent).filter((m) => published(m).type === 'new');
    const message = await probe.waitFor((m) => isEvent(m) && published(m).type === 'new', EVENT_TIMEOUT_MS, 'a new event of cam-a').catch((error: unknown) => {
      throw new Error(`the worker's events were not published\n${workerLog()}`, { cause: error });
    });
    // Had both servers published it, the second copy would be here well within a second.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(news().filter((m) => published(m).event.id === published(message).event.id)).toHaveLength(1);

    // The servers ran no camera: the events are the worker's, read from the shared database.
    const event = published(message).event;
    for (const server of [first!, second!]) {
      const response = await fetch(`${server.url}/api/events/${encodeURIComponent(event.id)}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: event.id, type: event.type });
    }
    // The cameras page of a server that runs no camera shows the worker's camera as it streams.
    const live = async () => {
      const body = (await (await fetch(`${first!.url}/api/cameras`)).json()) as { cameras: Array<{ id: string; live: { status: string; frames_processed: number } | null }> };
      return body.cameras.find((c) => c.id === 'cam-a')?.live ?? null;
    };
    await waitFor(live, (state) => state?.status === 'streaming' && state.frames_processed > 0, 10_000);
    expect(worker?.exited()).toBeUndefined();
  });

  it('hands the integrations to the other server when the first stops, which then publishes the events', async () => {
    await first!.close();
    first = undefined;
    const from = probe.messages.length;
    // Elected at its next round (every 5 s), it connects to the broker and publishes what follows.
    await probe
      .waitFor((m) => probe.messages.indexOf(m) >= from && isEvent(m), EVENT_TIMEOUT_MS, 'an event of cam-a published by the second server')
      .catch((error: unknown) => {
        throw new Error(`the second server did not take the integrations over\n${workerLog()}`, { cause: error });
      });
    // The first closed its MQTT connection (its retained "offline") before the second connected
    // with the same client id: the last word on the availability topic is the second's "online".
    const statuses = probe.messages.filter((m) => m.topic === 'vigil/status').map((m) => m.text);
    expect(statuses.slice(-2)).toEqual(['offline', 'online']);
  });
});
