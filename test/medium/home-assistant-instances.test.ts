/**
 * Issue 12 on a private broker: two Vigil instances with different client ids keep their
 * availability and states apart, entity ids are Home Assistant's slugs, and `vigil/analyze`
 * takes what Ollama Vision users send (device_id, "true", any image_name, a Home Assistant path).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVigil, type RunningIntegrations, type Vigil } from '../../src/app.ts';
import { parseConfigText } from '../../src/config/index.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { startFakeFrigate, type FakeFrigate } from '../support/fake-frigate.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';
import { startTestBroker, type TestBroker } from '../support/mqtt-broker.ts';
import { startProbe, type MqttProbe } from '../support/mqtt-probe.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };

let dir: string;
let broker: TestBroker;
let ollama: FakeLlmServer;
/** Stands in for Home Assistant's HTTP server (it serves /api/events/porch/snapshot.jpg). */
let homeAssistant: FakeFrigate;
let probe: MqttProbe;
const vigils: Vigil[] = [];
const running: RunningIntegrations[] = [];

function instance(clientId: string | undefined): Vigil {
  const text = [
    `storage: { data_dir: data-${clientId ?? 'default'} }`,
    `genai: { provider: ollama, model: "qwen2.5vl:7b", base_url: "${ollama.url}", analyze_image: { allowed_hosts: [127.0.0.1] } }`,
    `mqtt: { host: ${broker.host}, port: ${broker.port}${clientId ? `, client_id: ${clientId}` : ''} }`,
    `home_assistant: { url: "${homeAssistant.url}" }`,
    'cameras: { back-door: { name: Back door, input: "rtsp://127.0.0.1:9/back" } }',
  ].join('\n');
  const loaded = { ...parseConfigText(text, { env: {}, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
  const vigil = createVigil(loaded, { logger: silent, liveState: () => ({ status: 'streaming' }), pollMs: 50 });
  vigils.push(vigil);
  return vigil;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-ha-two-'));
  [broker, ollama, homeAssistant] = await Promise.all([startTestBroker(), startFakeLlmServer(), startFakeFrigate()]);
  homeAssistant.addEvent('porch');
  ollama.setFallback({ json: { model: 'qwen2.5vl:7b', message: { role: 'assistant', content: 'A person stands on the porch.' }, done: true } });
  probe = await startProbe(broker.url);
  await probe.subscribe('homeassistant/#');
  await probe.subscribe('vigil/#');
  for (const clientId of [undefined, 'vigil-garage']) {
    const integrations = await instance(clientId).startIntegrations();
    await integrations.ready;
    running.push(integrations);
  }
});

afterAll(async () => {
  for (const r of running) await r.close();
  for (const v of vigils) await v.close();
  await probe.close();
  await Promise.all([broker.stop(), ollama.close(), homeAssistant.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe('two Vigil instances on one broker', () => {
  it('give each its availability and state topics, and entity ids as Home Assistant slugifies them', async () => {
    const first = await probe.waitFor((m) => m.topic === 'homeassistant/sensor/vigil_back-door_last_event/config', 10_000, 'first instance');
    expect(json(first.text)).toMatchObject({
      default_entity_id: 'sensor.vigil_back_door_last_event',
      state_topic: 'vigil/camera/back-door/last_event',
      availability: [{ topic: 'vigil/status' }],
    });
    const second = await probe.waitFor((m) => m.topic === 'homeassistant/sensor/vigil-garage_back-door_last_event/config', 10_000, 'second instance');
    expect(json(second.text)).toMatchObject({
      default_entity_id: 'sensor.vigil_garage_back_door_last_event',
      state_topic: 'vigil/vigil-garage/camera/back-door/last_event',
      availability: [{ topic: 'vigil/vigil-garage/status' }],
    });
    await probe.waitFor((m) => m.topic === 'vigil/vigil-garage/status' && m.text === 'online', 10_000, 'second online');
    await probe.waitFor((m) => m.topic === 'vigil/camera/back-door/connected' && m.text === 'ON', 10_000, 'first state');
    await probe.waitFor((m) => m.topic === 'vigil/vigil-garage/camera/back-door/connected' && m.text === 'ON', 10_000, 'second state');
  });

  it('stopping one leaves the other available', async () => {
    const mark = probe.messages.length;
    await running.pop()!.close();
    await probe.waitFor((m) => probe.messages.indexOf(m) >= mark && m.topic === 'vigil/vigil-garage/status' && m.text === 'offline', 10_000, 'second offline');
    expect(probe.messages.slice(mark).filter((m) => m.topic === 'vigil/status')).toEqual([]);
    // A client arriving now (Home Assistant after a restart) still sees the first one online.
    const late = await startProbe(broker.url);
    try {
      await late.subscribe('vigil/status');
      expect((await late.waitFor((m) => m.topic === 'vigil/status', 10_000)).text).toBe('online');
    } finally {
      await late.close();
    }
  });
});

describe('vigil/analyze as Ollama Vision users call it', () => {
  it('takes device_id, "true", any image_name and a Home Assistant path; carries on without a text model', async () => {
    const request = { image_url: '/api/events/porch/snapshot.jpg', image_name: 'Front Porch', device_id: 'b9d50fa9859ada', use_text_model: 'true' };
    await probe.publish('vigil/analyze', JSON.stringify(request));
    const analyzed = await probe.waitFor((m) => m.topic === 'vigil/image_analyzed', 20_000, 'image_analyzed');
    expect(json(analyzed.text)).toMatchObject({
      instance: 'default',
      integration_id: 'default',
      image_name: 'Front Porch',
      image_url: `${homeAssistant.url}/api/events/porch/snapshot.jpg`,
      used_text_model: false,
      text_prompt: null,
      final_description: 'A person stands on the porch.',
    });
    const sensor = await probe.waitFor((m) => m.topic === 'homeassistant/sensor/vigil_image_front_porch/config', 10_000, 'image sensor');
    expect(json(sensor.text)).toMatchObject({ name: 'Front Porch image', default_entity_id: 'sensor.vigil_image_front_porch', state_topic: 'vigil/image/front_porch/state' });
    const attributes = await probe.waitFor((m) => m.topic === 'vigil/image/front_porch/state/attributes', 10_000, 'image attributes');
    expect(json(attributes.text)).toMatchObject({ integration_id: 'default', used_text_model: false, final_description: 'A person stands on the porch.' });
  });
});
