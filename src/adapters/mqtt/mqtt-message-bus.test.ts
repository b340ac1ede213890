import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMosquitto, startTestBroker, type TestBroker } from '../../../test/support/mqtt-broker.ts';
import { startProbe, type MqttProbe } from '../../../test/support/mqtt-probe.ts';
import type { BusMessage, BusStatus } from '../../ports/message-bus.ts';
import type { Logger } from '../../ports/logger.ts';
import { MqttMessageBus } from './mqtt-message-bus.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };

function nextStatus(bus: MqttMessageBus, wanted: BusStatus): Promise<void> {
  return new Promise((resolve) => {
    if (bus.status() === wanted) return resolve();
    const off = bus.onStatus((s) => {
      if (s !== wanted) return;
      off();
      resolve();
    });
  });
}

// The same behaviour against both brokers the tests may get (Aedes alone when Mosquitto is missing).
const kinds: Array<'mosquitto' | 'aedes'> = findMosquitto() ? ['mosquitto', 'aedes'] : ['aedes'];

describe.each(kinds)('MqttMessageBus against %s', (kind) => {
  let broker: TestBroker;
  let probe: MqttProbe;
  let bus: MqttMessageBus;

  beforeAll(async () => {
    broker = await startTestBroker({ prefer: kind });
    expect(broker.kind).toBe(kind);
    probe = await startProbe(broker.url);
    await probe.subscribe('test/#');
    bus = new MqttMessageBus({ host: broker.host, port: broker.port, clientId: `vigil-${kind}`, statusTopic: 'test/status', logger: silent, reconnectMs: 100 });
    await nextStatus(bus, 'online');
  });
  afterAll(async () => {
    await bus.close();
    await probe.close();
    await broker.stop();
  });

  it('announces itself online (retained) on connect', async () => {
    const status = await probe.waitFor((m) => m.topic === 'test/status' && m.text === 'online', 10_000, 'online status');
    expect(status.text).toBe('online');
  });

  it('publishes retained messages that a later subscriber still gets', async () => {
    await bus.publish('test/retained', 'kept', { retain: true, qos: 1 });
    const late = await startProbe(broker.url);
    try {
      await late.subscribe('test/retained');
      const got = await late.waitFor((m) => m.topic === 'test/retained', 10_000);
      expect(got).toMatchObject({ text: 'kept', retained: true });
    } finally {
      await late.close();
    }
  });

  it('delivers matching messages to handlers, and a throwing handler harms nobody', async () => {
    const got: BusMessage[] = [];
    await bus.subscribe('test/in/+', () => {
      throw new Error('boom');
    });
    const delivered = new Promise<void>((resolve) => {
      void bus.subscribe('test/in/+', (m) => {
        got.push(m);
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 0));
    await probe.publish('test/in/a', 'hello');
    await delivered;
    expect(new TextDecoder().decode(got[0]!.payload)).toBe('hello');
    expect(got[0]!.topic).toBe('test/in/a');
  });

  it('reconnects after a broker restart, says online again and keeps its subscriptions', async () => {
    let arrived: (text: string) => void = () => {};
    const received = new Promise<string>((resolve) => (arrived = resolve));
    await bus.subscribe('test/after', (m) => arrived(new TextDecoder().decode(m.payload)));
    const offline = nextStatus(bus, 'offline');
    await broker.restart();
    await offline;
    // Online is reported after the status publish was acknowledged, which the broker handles
    // after the renewed subscription: from here on the subscription is in place.
    await nextStatus(bus, 'online');
    const again = await startProbe(broker.url);
    try {
      await again.publish('test/after', 'back');
      expect(await received).toBe('back');
    } finally {
      await again.close();
    }
  });

  it('leaves "offline" retained when it closes', async () => {
    const watcher = await startProbe(broker.url);
    const other = new MqttMessageBus({ host: broker.host, port: broker.port, clientId: `other-${kind}`, statusTopic: 'test/other-status', logger: silent, reconnectMs: 100 });
    try {
      await nextStatus(other, 'online');
      await other.close();
      await watcher.subscribe('test/other-status');
      const status = await watcher.waitFor((m) => m.topic === 'test/other-status', 10_000);
      expect(status).toMatchObject({ text: 'offline', retained: true });
    } finally {
      await watcher.close();
    }
  });
});
