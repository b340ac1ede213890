/**
 * A plain MQTT client for tests: records every message on the topics it subscribed to and waits
 * for the ones a test expects (no sleeps: each wait ends as soon as the message is there).
 */
import { connectAsync, type MqttClient } from 'mqtt';

export interface ProbeMessage {
  topic: string;
  text: string;
  retained: boolean;
}

export interface MqttProbe {
  client: MqttClient;
  messages: ProbeMessage[];
  subscribe(filter: string): Promise<void>;
  publish(topic: string, payload: string, options?: { retain?: boolean }): Promise<void>;
  /** The first recorded message (past or future) that matches, or a rejection after `timeoutMs`. */
  waitFor(predicate: (m: ProbeMessage) => boolean, timeoutMs?: number, what?: string): Promise<ProbeMessage>;
  close(): Promise<void>;
}

export async function startProbe(url: string, clientId = `probe-${Math.random().toString(36).slice(2, 8)}`): Promise<MqttProbe> {
  const client = await connectAsync(url, { clientId, reconnectPeriod: 200 });
  const messages: ProbeMessage[] = [];
  const waiters = new Set<() => void>();
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, text: payload.toString('utf8'), retained: packet.retain });
    for (const wake of [...waiters]) wake();
  });
  return {
    client,
    messages,
    subscribe: async (filter) => {
      await client.subscribeAsync(filter, { qos: 1 });
    },
    publish: async (topic, payload, options = {}) => {
      await client.publishAsync(topic, payload, { qos: 1, retain: options.retain ?? false });
    },
    waitFor: (predicate, timeoutMs = 20_000, what = 'message') =>
      new Promise<ProbeMessage>((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(found);
          return true;
        };
        const wake = () => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`timed out waiting for ${what}; got: ${messages.map((m) => m.topic).join(', ')}`));
        }, timeoutMs);
        if (!check()) waiters.add(wake);
      }),
    close: () => client.endAsync(true),
  };
}
