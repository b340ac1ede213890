import type { StoredEvent } from '../../ports/analysis-store.ts';
import type { EventFeed, EventNotice } from '../../ports/event-feed.ts';
import type { AnnouncementFeed, ImageAnalysis } from '../../ports/image-analysis-store.ts';
import type { Logger } from '../../ports/logger.ts';
import type { MessageBus } from '../../ports/message-bus.ts';
import { publishedEvent } from '../publish/event-message.ts';
import { cameraConnectivitySensor, cameraSensor, imageSensor, truncateState, type HaContext, type SensorTopics } from './discovery.ts';

/** A live camera's connection as the connectivity sensor shows it. */
export interface LiveCameraView {
  status: string;
  lastError?: string;
}

export interface HomeAssistantDeps {
  bus: MessageBus;
  events: EventFeed;
  images?: AnnouncementFeed;
  context: HaContext;
  /** Cameras that get a sensor from the start (configured ones); others get one with their first event. */
  cameras: ReadonlyArray<{ id: string; name: string }>;
  /** What the sensors showed before a restart: each camera's latest event with its description, the latest analyses. */
  seed?: { events: ReadonlyArray<{ stored: StoredEvent; description?: string }>; analyses: readonly ImageAnalysis[] };
  publicUrl?: string;
  /** Live cameras (`vigil serve`): each gets a connectivity sensor, read every `pollMs`. */
  live?: { cameras: ReadonlyArray<{ id: string; name: string }>; state(cameraId: string): LiveCameraView | undefined; pollMs?: number };
  logger: Logger;
}

interface SensorState {
  topics: SensorTopics;
  state?: string;
  attributes?: Record<string, unknown>;
  /** Camera sensors: which event they show, so an older event's news does not replace it. */
  eventId?: string;
  startMs?: number;
  description?: string;
}

/**
 * Home Assistant's view of Vigil over MQTT discovery. Configs and states are retained, so the
 * sensors keep their last value across restarts of either side; when Home Assistant announces
 * itself (`<discovery_prefix>/status` = online) or the broker connection comes back, every
 * config is published again, then every state.
 */
export class HomeAssistantService {
  private readonly sensors = new Map<string, SensorState>();
  private readonly stops: Array<() => unknown> = [];
  private readonly log: Logger;

  constructor(private readonly deps: HomeAssistantDeps) {
    this.log = deps.logger.child({ module: 'home-assistant' });
    for (const camera of deps.cameras) this.cameraState(camera.id, camera.name);
    for (const { stored, description } of deps.seed?.events ?? []) this.applyEvent(stored, description);
    for (const analysis of deps.seed?.analyses ?? []) this.applyAnalysis(analysis);
    for (const camera of deps.live?.cameras ?? []) {
      this.sensors.set(`connected:${camera.id}`, { topics: cameraConnectivitySensor(deps.context, camera) });
      this.applyConnection(camera.id);
    }
  }

  async start(): Promise<void> {
    this.stops.push(this.deps.events.subscribe((notice) => this.onNotice(notice)));
    if (this.deps.images) this.stops.push(this.deps.images.subscribe(({ payload }) => this.publishSensor(this.applyAnalysis(payload))));
    this.stops.push(this.deps.bus.onStatus((status) => status === 'online' && void this.republish('reconnected')));
    const birth = `${this.deps.context.discoveryPrefix}/status`;
    this.stops.push(
      await this.deps.bus.subscribe(birth, (message) => {
        if (new TextDecoder().decode(message.payload).trim() === 'online') void this.republish('Home Assistant started');
      }),
    );
    if (this.deps.bus.status() === 'online') await this.republish('started');
    const live = this.deps.live;
    if (live?.cameras.length) {
      const timer = setInterval(() => {
        for (const camera of live.cameras) {
          const sensor = this.applyConnection(camera.id);
          if (sensor) void this.sendState(sensor);
        }
      }, live.pollMs ?? 5_000);
      this.stops.push(() => clearInterval(timer));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.stops.splice(0).map((stop) => stop()));
  }

  /** Every config first, then every state, as Home Assistant's discovery documentation asks. */
  async republish(reason: string): Promise<void> {
    this.log.info({ reason, sensors: this.sensors.size }, 'publishing Home Assistant discovery');
    const all = [...this.sensors.values()];
    await Promise.all(all.map((s) => this.send(s.topics.configTopic, JSON.stringify(s.topics.config))));
    await Promise.all(all.map((s) => this.sendState(s)));
  }

  private onNotice(notice: EventNotice): void {
    const sensor = this.applyEvent(notice.stored, notice.change === 'described' ? notice.description : undefined);
    if (sensor) this.publishSensor(sensor);
  }

  private cameraState(id: string, name?: string): SensorState {
    const key = `camera:${id}`;
    let sensor = this.sensors.get(key);
    if (!sensor) {
      sensor = { topics: cameraSensor(this.deps.context, { id, name: name ?? id }) };
      this.sensors.set(key, sensor);
    }
    return sensor;
  }

  /** The camera's sensor now shows this event, unless it already shows a later one. */
  private applyEvent(stored: StoredEvent, description: string | undefined): SensorState | undefined {
    const e = stored.event;
    const sensor = this.cameraState(e.cameraId);
    if (sensor.startMs !== undefined && e.startMs < sensor.startMs && sensor.eventId !== e.id) return undefined;
    if (sensor.eventId !== e.id) sensor.description = undefined;
    sensor.eventId = e.id;
    sensor.startMs = e.startMs;
    if (description !== undefined) sensor.description = description;
    const event = publishedEvent(stored, this.deps.publicUrl);
    sensor.state = truncateState(sensor.description ?? e.summary.en);
    sensor.attributes = {
      event_id: event.id,
      camera: event.camera,
      time: event.start,
      end: event.end,
      type: event.type,
      rule: event.rule,
      status: event.status,
      labels: event.labels,
      summary: event.summary.en,
      summary_zh_hant: event.summary.zh_hant,
      description: sensor.description ?? null,
      snapshot_url: event.snapshot_url,
    };
    return sensor;
  }

  /** The camera's connectivity sensor, when what it shows changed (connected, status, error). */
  private applyConnection(cameraId: string): SensorState | undefined {
    const sensor = this.sensors.get(`connected:${cameraId}`);
    const view = this.deps.live?.state(cameraId);
    if (!sensor || !view) return undefined;
    const state = view.status === 'streaming' ? 'ON' : 'OFF';
    const attributes = { status: view.status, last_error: view.lastError ?? null };
    if (sensor.state === state && JSON.stringify(sensor.attributes) === JSON.stringify(attributes)) return undefined;
    sensor.state = state;
    sensor.attributes = attributes;
    return sensor;
  }

  private applyAnalysis(analysis: ImageAnalysis): SensorState {
    const key = `image:${analysis.image_name}`;
    const sensor = this.sensors.get(key) ?? { topics: imageSensor(this.deps.context, analysis.image_name) };
    this.sensors.set(key, sensor);
    sensor.state = truncateState(analysis.final_description);
    // Ollama Vision's attribute names, so templates written for it keep working.
    sensor.attributes = {
      integration_id: analysis.instance,
      image_url: analysis.image_url,
      prompt: analysis.prompt,
      full_description: analysis.description,
      used_text_model: analysis.used_text_model,
      text_prompt: analysis.text_prompt,
      final_description: analysis.final_description,
      created_at: analysis.created_at,
    };
    return sensor;
  }

  private publishSensor(sensor: SensorState): void {
    const run = async () => {
      await this.send(sensor.topics.configTopic, JSON.stringify(sensor.topics.config));
      await this.sendState(sensor);
    };
    void run();
  }

  private async sendState(sensor: SensorState): Promise<void> {
    if (sensor.state === undefined) return;
    // Attributes first: Home Assistant applies them with the next state change.
    await this.send(sensor.topics.attributesTopic, JSON.stringify(sensor.attributes ?? {}));
    await this.send(sensor.topics.stateTopic, sensor.state);
  }

  private async send(topic: string, payload: string): Promise<void> {
    try {
      await this.deps.bus.publish(topic, payload, { retain: true, qos: 1 });
    } catch (error) {
      this.log.warn({ err: error, topic }, 'could not publish to Home Assistant');
    }
  }
}
