import { z } from 'zod';
import { boundedNumber, evenWithOtherIssues, labelListSchema, NAME_PATTERN } from './schema-parts.ts';

/** MQTT topic prefixes: plain levels, no wildcards, no leading or trailing slash. */
const topicPrefix = z
  .string()
  .regex(/^[^#+/\s]+(\/[^#+/\s]+)*$/, 'expected a topic prefix such as "vigil" or "site1/vigil" (no wildcards, spaces or leading/trailing "/")');

/** Frigate camera names allow capitals ([a-zA-Z0-9_-]); Vigil ids do not, hence the mapping below. */
const FRIGATE_CAMERA = /^[A-Za-z0-9_-]+$/;

export const mqttSchema = z
  .strictObject({
    host: z.string().min(1),
    port: boundedNumber({ integer: true, min: 1, max: 65535 }).default(1883),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    /** Two clients with one id throw each other off the broker, so it is configurable. */
    client_id: z.string().min(1).max(64).default('vigil'),
    topic_prefix: topicPrefix.default('vigil'),
    tls: z
      .strictObject({
        /** A CA bundle for a broker with a private certificate; relative to the config file. */
        ca_file: z.string().min(1).optional(),
        /** Accept any certificate (self-signed brokers); the connection is then encrypted but not authenticated. */
        insecure: z.boolean().default(false),
      })
      .optional(),
  })
  .superRefine((mqtt, ctx) => {
    if (mqtt.password !== undefined && mqtt.user === undefined) ctx.addIssue({ code: 'custom', path: ['user'], message: 'required when password is set' });
  }, evenWithOtherIssues);

export const FRIGATE_TRIGGERS = ['new', 'update', 'end'] as const;

const frigateCameraSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** The Vigil camera id this Frigate camera is stored as; default: its name, lower-cased. */
  camera: z.string().regex(NAME_PATTERN, `expected a camera id matching ${NAME_PATTERN.source}`).optional(),
  /** Only these labels (Frigate's genai.objects); default: every label. */
  objects: labelListSchema.optional(),
  /** Only objects that entered one of these zones (Frigate's genai.required_zones). */
  required_zones: z.array(z.string().min(1)).prefault([]),
  /** Entering one of these zones makes the event an `intrusion` instead of `object_seen`. */
  restricted_zones: z.array(z.string().min(1)).prefault([]),
});

export const frigateSchema = z
  .strictObject({
    /** Frigate's HTTP address: http://host:5000 (internal, no auth) or https://host:8971 with user and password. */
    url: z.url({ error: 'expected a URL such as http://192.168.1.10:5000' }),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    topic_prefix: topicPrefix.default('frigate'),
    /** Which messages of `<prefix>/events` make or update a Vigil event. */
    triggers: z.array(z.enum(FRIGATE_TRIGGERS)).min(1, 'expected at least one of new, update, end').prefault(['end']),
    cameras: z
      .record(z.string(), frigateCameraSchema)
      .superRefine((map, ctx) => {
        for (const key of Object.keys(map)) {
          if (!FRIGATE_CAMERA.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `Frigate camera name must match ${FRIGATE_CAMERA.source}` });
        }
      }, evenWithOtherIssues)
      .prefault({}),
    /** Send Vigil's description back to Frigate (POST /api/events/<id>/description, Frigate 0.15+). */
    write_description: z.boolean().default(false),
    /**
     * With write_description: also publish each description on `<topic_prefix>/tracked_object_update`
     * as Frigate's own GenAI does (`{"type": "description", "id", "description", "camera"}`).
     */
    publish_description_update: z.boolean().default(true),
    /** Per HTTP request to Frigate. */
    timeout_s: boundedNumber({ greaterThan: 0, max: 300 }).default(15),
    /** false accepts Frigate's self-signed certificate on port 8971 (encrypted, not authenticated). */
    verify_tls: z.boolean().default(true),
    /** Largest snapshot accepted from Frigate. */
    max_image_mb: boundedNumber({ greaterThan: 0, max: 100 }).default(10),
    /** Frames taken from each ended event's clip (GET /api/events/<id>/clip.mp4) and described with its snapshot; 0: the snapshot alone. */
    clip_frames: boundedNumber({ integer: true, min: 0, max: 2 }).default(0),
    /** Largest clip accepted from Frigate. */
    max_clip_mb: boundedNumber({ greaterThan: 0, max: 2048 }).default(100),
  })
  .superRefine((frigate, ctx) => {
    if ((frigate.user === undefined) !== (frigate.password === undefined)) {
      ctx.addIssue({ code: 'custom', path: [frigate.user === undefined ? 'user' : 'password'], message: 'user and password go together (Frigate 0.14+ login)' });
    }
  }, evenWithOtherIssues);

export const homeAssistantSchema = z.strictObject({
  enabled: z.boolean().default(true),
  discovery_prefix: topicPrefix.default('homeassistant'),
  /** Where Home Assistant reaches Vigil, for snapshot URLs in sensor attributes (e.g. http://192.168.1.5:8080). */
  public_url: z.url({ error: 'expected a URL such as http://192.168.1.5:8080' }).optional(),
  /**
   * Home Assistant's own address (e.g. http://homeassistant.local:8123): analyze_image then takes
   * the image URLs Home Assistant automations pass, `/api/camera_proxy/camera.x` and `/local/...`
   * (or `www/...`), relative to it. Add its host to genai.analyze_image.allowed_hosts.
   */
  url: z.url({ error: 'expected a URL such as http://homeassistant.local:8123' }).optional(),
});

/** Frigate and Home Assistant talk over the broker: without `mqtt` they cannot start. */
export function requireMqtt(config: { mqtt?: unknown; frigate?: unknown; home_assistant?: unknown }, ctx: z.core.$RefinementCtx): void {
  if (config.mqtt !== undefined) return;
  if (config.frigate !== undefined) ctx.addIssue({ code: 'custom', path: ['frigate'], message: 'needs the mqtt section (the broker Frigate publishes to)' });
  const ha = config.home_assistant;
  const haOn = typeof ha === 'object' && ha !== null && (ha as { enabled?: unknown }).enabled !== false;
  if (haOn) ctx.addIssue({ code: 'custom', path: ['home_assistant'], message: 'needs the mqtt section (the broker Home Assistant listens to)' });
}

export type MqttConfig = z.output<typeof mqttSchema>;
export type FrigateConfig = z.output<typeof frigateSchema>;
export type FrigateCameraConfig = z.output<typeof frigateCameraSchema>;
export type HomeAssistantConfig = z.output<typeof homeAssistantSchema>;
