import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventType } from '../../domain/events/event-types.ts';
import type { LiveMetrics, RetentionMetrics } from '../../ports/live-metrics.ts';

/** What the scrape reads at the moment of scraping (queue depths, connection states, provider totals). */
export interface MetricSources {
  cameras(): ReadonlyArray<{ cameraId: string; connected: boolean; queueDepth: number; inputFps: number; processedFps: number }>;
  providers(): ReadonlyArray<{ provider: string; calls: number; failures: number; latencyMsP50?: number | undefined }>;
  /** The durable job queue, per kind (descriptions, embeddings, Frigate). */
  jobs?(): Promise<ReadonlyArray<{ kind: string; queued: number; running: number; failed: number; done: number; oldestDueAgeMs?: number | undefined }>>;
  /** Frigate's `frigate/events` as they arrived, per Frigate camera, with the gaps inferred from them. */
  frigate?(): FrigateIntakeSource;
  /** Automatic descriptions dropped per camera because its backlog was full. */
  descriptionBacklog?(): ReadonlyArray<{ camera: string; dropped: number }>;
  /** The model gateway's requests since start, per key and client model name. */
  gateway?(): ReadonlyArray<GatewayUsageSource>;
}

export interface GatewayUsageSource {
  key: string;
  model: string;
  requests: number;
  failures: number;
  inputTokens: number;
  outputTokens: number;
  queueWaitSeconds: number;
  latencySeconds: number;
}

export interface FrigateIntakeSource {
  cameras: ReadonlyArray<{
    frigateCamera: string;
    camera: string;
    received: { new: number; update: number; end: number };
    gaps: { updateWithoutNew: number; endWithoutNew: number };
  }>;
  totals: { invalid: number; overflow: number; brokerDropped?: number | undefined };
}

/**
 * Vigil's numbers in Prometheus' text format: counters updated as frames and events happen,
 * gauges read from their sources when scraped. One registry per server, so tests never share.
 */
export class PrometheusMetrics implements LiveMetrics, RetentionMetrics {
  readonly registry = new Registry();
  private readonly frames: Counter<'camera' | 'stage'>;
  private readonly detections: Counter<'camera' | 'label'>;
  private readonly events: Counter<'camera' | 'type' | 'change'>;
  private readonly reconnects: Counter<'camera'>;
  private readonly eventLatency: Histogram<'camera'>;
  private readonly retentionDeletions: Counter<'kind'>;
  private readonly retentionBytes: Counter;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'vigil_process_' });
    this.frames = new Counter({ name: 'vigil_frames_total', help: 'Frames by stage: in (decoded), processed (detected and stored), dropped (queue full)', labelNames: ['camera', 'stage'], registers });
    this.detections = new Counter({ name: 'vigil_detections_total', help: 'Confident detections on processed frames', labelNames: ['camera', 'label'], registers });
    this.events = new Counter({ name: 'vigil_events_total', help: 'Events stored (new) and stored again as they grew or closed (update)', labelNames: ['camera', 'type', 'change'], registers });
    this.reconnects = new Counter({ name: 'vigil_camera_reconnects_total', help: 'Camera sessions that ended and were started again', labelNames: ['camera'], registers });
    this.eventLatency = new Histogram({
      name: 'vigil_event_latency_seconds',
      help: 'From the frame that produced an event to the event being stored',
      labelNames: ['camera'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    this.retentionDeletions = new Counter({ name: 'vigil_retention_deleted_total', help: 'What retention deleted: whole runs, events, frames, files (orphans included)', labelNames: ['kind'], registers });
    this.retentionBytes = new Counter({ name: 'vigil_retention_freed_bytes_total', help: 'Bytes of files deleted by retention', registers });
    const cameraGauge = (name: string, help: string, read: (c: ReturnType<MetricSources['cameras']>[number]) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['camera'],
        registers,
        collect() {
          this.reset();
          for (const c of sources.cameras()) this.set({ camera: c.cameraId }, read(c));
        },
      });
    cameraGauge('vigil_camera_connected', '1 while the camera input delivers frames', (c) => (c.connected ? 1 : 0));
    cameraGauge('vigil_camera_queue_depth', 'Decoded frames waiting for detection', (c) => c.queueDepth);
    cameraGauge('vigil_camera_input_fps', 'Frames per second decoded (last 10 s)', (c) => c.inputFps);
    cameraGauge('vigil_camera_processed_fps', 'Frames per second processed (last 10 s)', (c) => c.processedFps);
    const providerGauge = (name: string, help: string, read: (p: ReturnType<MetricSources['providers']>[number]) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['provider'],
        registers,
        collect() {
          this.reset();
          for (const p of sources.providers()) {
            const value = read(p);
            if (value !== undefined) this.set({ provider: p.provider }, value);
          }
        },
      });
    providerGauge('vigil_provider_calls', 'Calls made to a model provider since start', (p) => p.calls);
    providerGauge('vigil_provider_failures', 'Calls to a model provider that failed since start', (p) => p.failures);
    const jobs = sources.jobs;
    if (jobs) {
      new Gauge({
        name: 'vigil_jobs',
        help: 'Background jobs by kind and status (queued, running, failed, done)',
        labelNames: ['kind', 'status'],
        registers,
        async collect() {
          const kinds = await jobs();
          this.reset();
          for (const k of kinds) for (const status of ['queued', 'running', 'failed', 'done'] as const) this.set({ kind: k.kind, status }, k[status]);
        },
      });
      new Gauge({
        name: 'vigil_jobs_oldest_due_seconds',
        help: 'How long the longest-waiting due job of a kind has waited (near 0 while the workers keep up)',
        labelNames: ['kind'],
        registers,
        async collect() {
          const kinds = await jobs();
          this.reset();
          for (const k of kinds) this.set({ kind: k.kind }, (k.oldestDueAgeMs ?? 0) / 1000);
        },
      });
    }
    const frigate = sources.frigate;
    if (frigate) {
      // Counts since start read at scrape time, as vigil_provider_calls: gauges, so they may restart at 0.
      new Gauge({
        name: 'vigil_frigate_messages',
        help: 'frigate/events messages received since start, by Frigate camera and type (new, update, end)',
        labelNames: ['camera', 'frigate_camera', 'type'],
        registers,
        collect() {
          this.reset();
          for (const c of frigate().cameras) for (const type of ['new', 'update', 'end'] as const) this.set({ camera: c.camera, frigate_camera: c.frigateCamera, type }, c.received[type]);
        },
      });
      new Gauge({
        name: 'vigil_frigate_message_gaps',
        help: 'Frigate objects whose first message here was an update (update_without_new) or an end (end_without_new): messages lost before Vigil, usually by the broker',
        labelNames: ['camera', 'frigate_camera', 'kind'],
        registers,
        collect() {
          this.reset();
          for (const c of frigate().cameras) {
            this.set({ camera: c.camera, frigate_camera: c.frigateCamera, kind: 'update_without_new' }, c.gaps.updateWithoutNew);
            this.set({ camera: c.camera, frigate_camera: c.frigateCamera, kind: 'end_without_new' }, c.gaps.endWithoutNew);
          }
        },
      });
      new Gauge({
        name: 'vigil_frigate_messages_skipped',
        help: 'frigate/events messages skipped by Vigil: invalid (not a Frigate event message) or overflow (arrived faster than they could be stored)',
        labelNames: ['reason'],
        registers,
        collect() {
          this.reset();
          const totals = frigate().totals;
          this.set({ reason: 'invalid' }, totals.invalid);
          this.set({ reason: 'overflow' }, totals.overflow);
        },
      });
      new Gauge({
        name: 'vigil_mqtt_broker_dropped_messages',
        help: "The MQTT broker's own count of messages it dropped, for every client ($SYS/broker/publish/messages/dropped; Mosquitto)",
        registers,
        collect() {
          this.reset();
          const dropped = frigate().totals.brokerDropped;
          if (dropped !== undefined) this.set(dropped);
        },
      });
    }
    const backlog = sources.descriptionBacklog;
    if (backlog) {
      new Gauge({
        name: 'vigil_description_backlog_dropped',
        help: 'Automatic descriptions dropped since start because their camera had too many waiting (the newest are kept)',
        labelNames: ['camera'],
        registers,
        collect() {
          this.reset();
          for (const b of backlog()) this.set({ camera: b.camera }, b.dropped);
        },
      });
    }
    const gateway = sources.gateway;
    if (gateway) {
      // Counts since start read at scrape time: gauges that restart at 0, as vigil_provider_calls.
      const usageGauge = (name: string, help: string, read: (u: GatewayUsageSource) => number) =>
        new Gauge({
          name,
          help,
          labelNames: ['key', 'model'],
          registers,
          collect() {
            this.reset();
            for (const u of gateway()) this.set({ key: u.key, model: u.model }, read(u));
          },
        });
      usageGauge('vigil_gateway_requests', 'Gateway requests since start, per key and model name asked for', (u) => u.requests);
      usageGauge('vigil_gateway_failures', 'Gateway requests that failed or were refused since start', (u) => u.failures);
      usageGauge('vigil_gateway_input_tokens', 'Prompt tokens of gateway requests since start', (u) => u.inputTokens);
      usageGauge('vigil_gateway_output_tokens', 'Generated tokens of gateway requests since start', (u) => u.outputTokens);
      usageGauge('vigil_gateway_queue_wait_seconds', 'Time gateway requests waited for a model slot since start (sum)', (u) => u.queueWaitSeconds);
      usageGauge('vigil_gateway_latency_seconds', 'Time from request to last token of gateway requests since start (sum)', (u) => u.latencySeconds);
    }
    providerGauge('vigil_provider_latency_p50_seconds', 'Median latency of recent calls to a model provider', (p) => (p.latencyMsP50 === undefined ? undefined : p.latencyMsP50 / 1000));
  }

  framesIn(cameraId: string): void {
    this.frames.inc({ camera: cameraId, stage: 'in' });
  }

  framesDropped(cameraId: string, count = 1): void {
    this.frames.inc({ camera: cameraId, stage: 'dropped' }, count);
  }

  frameProcessed(cameraId: string, detectionsByLabel: ReadonlyMap<string, number>): void {
    this.frames.inc({ camera: cameraId, stage: 'processed' });
    for (const [label, n] of detectionsByLabel) this.detections.inc({ camera: cameraId, label }, n);
  }

  eventStored(cameraId: string, type: EventType, change: 'new' | 'update', latencyMs: number): void {
    this.events.inc({ camera: cameraId, type, change });
    if (change === 'new') this.eventLatency.observe({ camera: cameraId }, latencyMs / 1000);
  }

  reconnected(cameraId: string): void {
    this.reconnects.inc({ camera: cameraId });
  }

  retentionDeleted(deleted: { runs: number; events: number; frames: number; files: number; bytes: number }): void {
    for (const kind of ['runs', 'events', 'frames', 'files'] as const) this.retentionDeletions.inc({ kind }, deleted[kind]);
    this.retentionBytes.inc(deleted.bytes);
  }

  contentType(): string {
    return this.registry.contentType;
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
