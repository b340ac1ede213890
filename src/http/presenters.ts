/**
 * What the API answers, as the contract (src/contract/api.schemas.ts) has it: each presenter
 * returns the `z.input` of its schema, so a field the contract does not know is a type error.
 */
import type { CameraWire, DescriptionStateWire, GatewayUsageWire, JobsStatusWire, LiveStateWire, SearchResponseWire } from '../contract/api.schemas.ts';
import type { GatewayKey } from '../ports/gateway-store.ts';
import type { GatewayUsageReport } from '../services/gateway/gateway-keys.ts';
import type { JobsStatus } from '../services/jobs/index.ts';
import type { CameraLiveState } from '../services/live/live-camera.ts';
import type { DescriptionView } from '../services/genai/descriptions/index.ts';
import type { AskResult } from '../services/search/ask.service.ts';
import type { CameraCoverage } from '../ports/search-store.ts';
import type { CameraInfo } from '../services/search/search.service.ts';
import type { FrigateCameraIntake } from '../services/frigate/frigate-intake-stats.ts';
import { presentEvent, type PresentOptions } from './present-event.ts';

export interface CameraListing extends CameraInfo {
  zones: readonly string[];
  tripwires: readonly string[];
}

export const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** A live camera's state (snake_case, ISO times, rates to two decimals). */
export function presentLive(s: CameraLiveState): LiveStateWire {
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    status: s.status,
    connected: s.status === 'streaming',
    input_fps: round(s.inputFps),
    processed_fps: round(s.processedFps),
    frames_in: s.framesIn,
    frames_processed: s.framesProcessed,
    frames_dropped: s.framesDropped,
    queue_depth: s.queueDepth,
    reconnects: s.reconnects,
    last_frame_at: iso(s.lastFrameAtMs),
    connected_since: iso(s.connectedSinceMs),
    last_error: s.lastError ?? null,
    last_error_at: iso(s.lastErrorAtMs),
    next_attempt_at: iso(s.nextAttemptAtMs),
  };
}

/** What the integrations know of a camera: Frigate's messages, descriptions skipped from a full backlog. */
export interface CameraIntake {
  frigate?: FrigateCameraIntake;
  descriptionsDropped?: number;
}

export function presentCamera(cam: CameraListing, coverage: CameraCoverage | undefined, live: CameraLiveState | undefined, intake: CameraIntake = {}): CameraWire {
  const frigate = intake.frigate;
  return {
    id: cam.id,
    name: cam.name,
    aliases: [...cam.aliases],
    timezone: cam.timeZone,
    zones: [...cam.zones],
    tripwires: [...cam.tripwires],
    events: coverage?.events ?? 0,
    first_event: iso(coverage?.firstEventMs),
    last_event: iso(coverage?.lastEventMs),
    analysed_until: iso(coverage?.analysedUntilMs),
    live: live ? presentLive(live) : null,
    ...(frigate
      ? {
          frigate: {
            messages: { ...frigate.received },
            gaps: { update_without_new: frigate.gaps.updateWithoutNew, end_without_new: frigate.gaps.endWithoutNew },
            last_message_at: iso(frigate.lastMessageAtMs),
          },
        }
      : {}),
    ...(intake.descriptionsDropped ? { descriptions_dropped: intake.descriptionsDropped } : {}),
  };
}

/** A description's state (times as ISO strings). */
export function presentDescription(view: DescriptionView): DescriptionStateWire {
  return {
    status: view.status,
    attempts: view.attempts,
    requested_by: view.requestedBy ?? null,
    last_error: view.lastError ?? null,
    next_attempt_at: iso(view.nextAttemptAt),
    description: view.description
      ? {
          provider: view.description.provider,
          model: view.description.model,
          created_at: iso(view.description.createdAt),
          flagged: view.description.flagged,
          json: view.description.json ?? null,
          raw_text: view.description.rawText ?? null,
        }
      : null,
  };
}

export function presentSearch(result: AskResult, present: PresentOptions): SearchResponseWire {
  const i = result.interpretation;
  const generated = result.generated;
  return {
    query: result.query,
    count: result.count ?? null,
    interpretation: {
      from: iso(i.fromMs),
      to: iso(i.toMs),
      time_text: i.timeText ?? null,
      time_notes: i.timeNotes,
      unread_time: i.unreadTime,
      unknown_places: i.unknownPlaces,
      cameras: i.cameras,
      types: i.types,
      labels: i.labels,
      stay: i.stay ?? null,
      min_actors: i.minActors ?? null,
      extreme: i.extreme ?? null,
      directions: i.directions.map((d) => ('inbound' in d ? { inbound: d.inbound } : { camera: d.cameraId, rule: d.rule, direction: d.direction })),
      concepts: i.concepts,
      terms: i.terms,
      language: i.language,
      retrieval: i.retrieval ?? 'keyword',
      retrieval_note: i.retrievalNote ?? null,
    },
    answer: {
      text: result.answer.text,
      language: result.answer.language,
      generated: generated?.generated ?? false,
      ...(generated?.fallback_reason ? { fallback_reason: generated.fallback_reason } : {}),
      ...(generated?.model ? { model: generated.model } : {}),
      cited: generated?.cited ?? [],
      timeline: generated?.generated ? generated.timeline : [],
    },
    missing_info: result.missingInfo,
    timeline: {
      from: iso(result.timeline.fromMs),
      to: iso(result.timeline.toMs),
      lanes: result.timeline.lanes.map((l) => ({
        camera: l.cameraId,
        camera_name: l.cameraName,
        events: l.events.map((e) => ({ id: e.id, type: e.type, start: new Date(e.startMs).toISOString(), end: new Date(e.endMs).toISOString() })),
      })),
    },
    total: result.total,
    total_exact: result.totalExact,
    events: result.hits.map((h) => presentEvent(h.stored, present, Math.round(h.score * 1000) / 1000)),
  };
}

/** The job queue per kind (ages in seconds, times as ISO strings). */
export function presentJobs(status: JobsStatus): JobsStatusWire {
  return {
    kinds: status.kinds.map((k) => ({
      kind: k.kind,
      queued: k.queued,
      running: k.running,
      failed: k.failed,
      done: k.done,
      oldest_due_age_s: k.oldestDueAgeMs === undefined ? null : Math.round(k.oldestDueAgeMs / 100) / 10,
      recent_failures: k.recentFailures.map((f) => ({
        key: f.key,
        event_id: f.eventId ?? null,
        status: f.status,
        attempts: f.attempts,
        error: f.error,
        at: new Date(f.at).toISOString(),
        next_attempt_at: iso(f.nextAttemptAt),
      })),
    })),
  };
}

/** Keys, their live requests and their usage over the days asked for. */
export function presentGatewayUsage(input: { enabled: boolean; keys: readonly GatewayKey[]; report: GatewayUsageReport; active: (keyId: string) => number }): GatewayUsageWire {
  const { report } = input;
  return {
    enabled: input.enabled,
    from_day: report.fromDay,
    to_day: report.toDay,
    keys: input.keys.map((k) => ({
      name: k.name,
      prefix: k.prefix,
      created_at: new Date(k.createdAt).toISOString(),
      last_used_at: iso(k.lastUsedAt ?? undefined),
      revoked_at: iso(k.revokedAt ?? undefined),
      active: input.active(k.id),
      limits: {
        models: k.limits.models,
        requests_per_minute: k.limits.requestsPerMinute,
        concurrent_requests: k.limits.concurrentRequests,
        tokens_per_day: k.limits.tokensPerDay,
        max_context_tokens: k.limits.maxContextTokens,
        max_output_tokens: k.limits.maxOutputTokens,
        priority: k.limits.priority,
      },
    })),
    totals: report.totals.map((t) => ({
      key: t.keyName,
      model: t.model,
      requests: t.requests,
      failures: t.failures,
      input_tokens: t.inputTokens,
      output_tokens: t.outputTokens,
      mean_queue_wait_ms: Math.round(t.meanQueueWaitMs),
      mean_latency_ms: Math.round(t.meanLatencyMs),
    })),
    days: report.rows.map((r) => ({ day: r.day, key: r.keyName, model: r.model, requests: r.requests, failures: r.failures, input_tokens: r.inputTokens, output_tokens: r.outputTokens })),
  };
}
