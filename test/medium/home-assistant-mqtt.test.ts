/**
 * Home Assistant over a private MQTT broker: discovery configs and retained states, the
 * re-announcement when Home Assistant restarts, availability, and the vigil/analyze ->
 * vigil/image_analyzed round trip with a stand-in vision model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVigil, packageVersion, type RunningIntegrations, type Vigil } from '../../src/app.ts';
import { parseConfigText, type LoadedConfig } from '../../src/config/index.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { storedEvent } from '../factories/stored-events.ts';
import { startFakeFrigate, type FakeFrigate } from '../support/fake-frigate.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { startTestBroker, type TestBroker } from '../support/mqtt-broker.ts';
import { startProbe, type MqttProbe } from '../support/mqtt-probe.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const T = Date.UTC(2026, 10, 20, 14, 5, 0);

let dir: string;
let broker: TestBroker;
let ollama: FakeLlmServer;
let images: FakeFrigate;
let probe: MqttProbe;
let loaded: LoadedConfig;
let vigil: Vigil;
let integrations: RunningIntegrations;
/** What the live camera `back` reports, as `vigil serve`'s live cameras would. */
let backLive: { status: string; lastError?: string } = { status: 'streaming' };

async function start(): Promise<RunningIntegrations> {
  const running = await vigil.startIntegrations();
  await running.ready;
  return running;
}

const configTopic = 'homeassistant/sensor/vigil_back_last_event/config';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-ha-'));
  [broker, ollama, images] = await Promise.all([startTestBroker(), startFakeLlmServer(), startFakeFrigate()]);
  images.addEvent('porch');
  const text = [
    'storage: { data_dir: data }',
    `genai: { provider: ollama, model: "qwen2.5vl:7b", base_url: "${ollama.url}", analyze_image: { allowed_hosts: [127.0.0.1] } }`,
    `mqtt: { host: ${broker.host}, port: ${broker.port} }`,
    'home_assistant: { public_url: "http://vigil.lan:8080" }',
    // A live camera (a stream); its state comes from `backLive` (the cameras themselves are not started here).
    'cameras: { back: { name: Back door, input: "rtsp://127.0.0.1:9/back" } }',
  ].join('\n');
  loaded = { ...parseConfigText(text, { env: {}, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
  vigil = createVigil(loaded, { logger: silent, clock: { now: () => T }, liveState: (id) => (id === 'back' ? backLive : undefined), pollMs: 50 });
  probe = await startProbe(broker.url);
  await probe.subscribe('homeassistant/#');
  await probe.subscribe('vigil/#');
  integrations = await start();
});

afterAll(async () => {
  await integrations.close();
  await probe.close();
  await vigil.close();
  await Promise.all([broker.stop(), ollama.close(), images.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('Home Assistant over MQTT', () => {
  it('announces a retained sensor per camera, available while Vigil is online', async () => {
    const config = await probe.waitFor((m) => m.topic === configTopic, 10_000, 'camera discovery');
    expect(JSON.parse(config.text)).toMatchObject({
      name: 'Back door last event',
      unique_id: 'vigil_back_last_event',
      default_entity_id: 'sensor.vigil_back_last_event',
      state_topic: 'vigil/camera/back/last_event',
      json_attributes_topic: 'vigil/camera/back/last_event/attributes',
      availability: [{ topic: 'vigil/status', payload_available: 'online', payload_not_available: 'offline' }],
      device: { identifiers: ['vigil'], name: 'Vigil', sw_version: packageVersion() },
      origin: { name: 'Vigil' },
    });
    await probe.waitFor((m) => m.topic === 'vigil/status' && m.text === 'online', 10_000, 'online');
  });

  it('announces a connectivity sensor per live camera that follows its connection, with the last error', async () => {
    const config = await probe.waitFor((m) => m.topic === 'homeassistant/binary_sensor/vigil_back_connected/config', 10_000, 'connectivity discovery');
    expect(JSON.parse(config.text)).toMatchObject({
      name: 'Back door connected',
      default_entity_id: 'binary_sensor.vigil_back_connected',
      device_class: 'connectivity',
      payload_on: 'ON',
      payload_off: 'OFF',
      state_topic: 'vigil/camera/back/connected',
      availability: [{ topic: 'vigil/status', payload_available: 'online', payload_not_available: 'offline' }],
    });
    await probe.waitFor((m) => m.topic === 'vigil/camera/back/connected' && m.text === 'ON', 10_000, 'connected');
    const mark = probe.messages.length;
    backLive = { status: 'waiting', lastError: 'rtsp://cam/live could not be reached' };
    await probe.waitFor((m) => probe.messages.indexOf(m) >= mark && m.topic === 'vigil/camera/back/connected' && m.text === 'OFF', 10_000, 'disconnected');
    const attributes = probe.messages.slice(mark).filter((m) => m.topic === 'vigil/camera/back/connected/attributes');
    expect(attributes.map((m) => JSON.parse(m.text))).toEqual([{ status: 'waiting', last_error: 'rtsp://cam/live could not be reached' }]);
    // Nothing is republished while nothing changes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(probe.messages.slice(mark).filter((m) => m.topic === 'vigil/camera/back/connected')).toHaveLength(1);
    backLive = { status: 'streaming' };
    await probe.waitFor((m) => probe.messages.indexOf(m) >= mark && m.topic === 'vigil/camera/back/connected' && m.text === 'ON', 10_000, 'reconnected');
  });

  it('shows the latest event, then its description cut to 255 characters with the full text in the attributes', async () => {
    const stored = { ...storedEvent({ id: 'back-1', startMs: T, en: 'Person p1 crossed the door line inbound at 22:05:00', zhHant: '人物 p1', snapshotPath: 'runs/run-1/events/back-1/snapshot.jpg' }), runId: 1 };
    vigil.eventFeed.notify([{ change: 'new', stored }]);
    const state = await probe.waitFor((m) => m.topic === 'vigil/camera/back/last_event' && m.text.startsWith('Person p1'), 10_000, 'state');
    expect(state.text).toBe('Person p1 crossed the door line inbound at 22:05:00');

    const long = `A man in a long grey coat ${'walks slowly along the fence and looks at the windows, '.repeat(8)}then leaves.`;
    vigil.eventFeed.notify([{ change: 'described', stored, description: long }]);
    const described = await probe.waitFor((m) => m.topic === 'vigil/camera/back/last_event' && m.text.startsWith('A man'), 10_000, 'described state');
    expect(Array.from(described.text).length).toBeLessThanOrEqual(255);
    expect(described.text.endsWith('…')).toBe(true);
    const attributes = probe.messages.filter((m) => m.topic === 'vigil/camera/back/last_event/attributes').map((m) => JSON.parse(m.text));
    expect(attributes.at(-1)).toMatchObject({
      event_id: 'back-1',
      description: long,
      time: new Date(T).toISOString(),
      type: 'line_crossing',
      labels: ['person'],
      snapshot_url: 'http://vigil.lan:8080/api/media/runs/run-1/events/back-1/snapshot.jpg',
    });
    // Vigil's own topics carry the description too.
    const topic = await probe.waitFor((m) => m.topic === 'vigil/back/description', 10_000, 'description topic');
    expect(JSON.parse(topic.text)).toMatchObject({ event_id: 'back-1', description: long });

    // Retained: a client that connects later (Home Assistant after a restart) gets config and state.
    const late = await startProbe(broker.url);
    try {
      await late.subscribe('homeassistant/sensor/vigil_back_last_event/config');
      await late.subscribe('vigil/camera/back/last_event');
      expect((await late.waitFor((m) => m.topic === configTopic, 10_000)).retained).toBe(true);
      expect(await late.waitFor((m) => m.topic === 'vigil/camera/back/last_event', 10_000)).toMatchObject({ text: described.text, retained: true });
    } finally {
      await late.close();
    }
  });

  it('publishes every config and state again when Home Assistant says it is online', async () => {
    const mark = probe.messages.length;
    await probe.publish('homeassistant/status', 'online');
    const again = await probe.waitFor((m) => probe.messages.indexOf(m) >= mark && m.topic === 'vigil/camera/back/last_event', 10_000, 'republished state');
    const configIndex = probe.messages.findIndex((m, i) => i >= mark && m.topic === configTopic);
    expect(configIndex).toBeGreaterThanOrEqual(mark);
    expect(configIndex).toBeLessThan(probe.messages.indexOf(again));
  });

  it('runs vigil/analyze with the analyze fields and answers on vigil/image_analyzed and a retained image sensor', async () => {
    ollama.reply({ json: { model: 'qwen2.5vl:7b', message: { role: 'assistant', content: 'A person stands on the porch.' }, done: true } });
    const request = { image_url: `${images.url}/api/events/porch/snapshot.jpg`, image_name: 'porch', prompt: 'Who is there?' };
    await probe.publish('vigil/analyze', JSON.stringify(request));
    const analyzed = await probe.waitFor((m) => m.topic === 'vigil/image_analyzed', 20_000, 'image_analyzed');
    expect(JSON.parse(analyzed.text)).toMatchObject({
      instance: 'default',
      image_name: 'porch',
      image_url: request.image_url,
      prompt: 'Who is there?',
      description: 'A person stands on the porch.',
      used_text_model: false,
      text_prompt: null,
      final_description: 'A person stands on the porch.',
    });
    const sensor = await probe.waitFor((m) => m.topic === 'homeassistant/sensor/vigil_image_porch/config', 10_000, 'image sensor');
    expect(JSON.parse(sensor.text)).toMatchObject({ unique_id: 'vigil_image_porch', state_topic: 'vigil/image/porch/state' });
    expect((await probe.waitFor((m) => m.topic === 'vigil/image/porch/state', 10_000)).text).toBe('A person stands on the porch.');
  });

  it('answers a bad command on vigil/analyze/error instead of failing silently', async () => {
    await probe.publish('vigil/analyze', JSON.stringify({ image_name: 'porch', colour: 'red' }));
    const error = await probe.waitFor((m) => m.topic === 'vigil/analyze/error', 10_000, 'analyze error');
    expect(JSON.parse(error.text)).toMatchObject({ image_name: 'porch', error: { code: 'invalid_argument' } });
  });

  it('goes offline on close and comes back with its sensors (from the database) after a restart', async () => {
    await integrations.close();
    await probe.waitFor((m) => m.topic === 'vigil/status' && m.text === 'offline', 10_000, 'offline');
    const mark = probe.messages.length;
    integrations = await start();
    await probe.waitFor((m) => probe.messages.indexOf(m) >= mark && m.topic === 'vigil/status' && m.text === 'online', 10_000, 'online again');
    const state = await probe.waitFor((m) => probe.messages.indexOf(m) >= mark && m.topic === 'vigil/image/porch/state', 10_000, 'image state after restart');
    expect(state.text).toBe('A person stands on the porch.');
  });
});
