/**
 * Home Assistant MQTT discovery for Vigil's sensors: one per camera (its latest event), one per
 * live camera (connected or not), and one per analyze_image `image_name` (its latest
 * final_description). Pure: topics and payloads only.
 */

/** Home Assistant refuses longer states (it logs a warning and shows "unknown"). */
export const HA_MAX_STATE = 255;

export interface HaContext {
  discoveryPrefix: string;
  /** Vigil's topic prefix (`vigil`): states live under it, availability at `<prefix>/status`. */
  topicPrefix: string;
  /** Distinguishes two Vigil instances in one Home Assistant (from mqtt.client_id). */
  nodeId: string;
  version: string;
}

export interface SensorTopics {
  /** `<discovery_prefix>/<sensor|binary_sensor>/<unique_id>/config`, published retained. */
  configTopic: string;
  config: Record<string, unknown>;
  stateTopic: string;
  attributesTopic: string;
}

/** [a-zA-Z0-9_-] as Home Assistant requires for object ids in discovery topics and unique ids. */
export function objectId(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]+/g, '_');
}

/**
 * Home Assistant's `slugify` (homeassistant.util.slugify, python-slugify with "_"): accents
 * dropped, apostrophes removed, lower case, every run of other characters one "_", none at either
 * end; "unknown" when nothing is left. Entity ids are made with it, so `Back-Door` gives
 * `sensor.vigil_back_door_last_event` here as it would in Home Assistant. (python-slugify also
 * transliterates other scripts, 前門 to `qian_men`; Vigil does not, see imageKey.)
 */
export function haSlug(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/['\u2019]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return slug === '' ? 'unknown' : slug;
}

/**
 * Where one Vigil instance keeps its retained state and availability: `<prefix>` for the default
 * client id `vigil` (a single instance keeps `vigil/status`), else `<prefix>/<client_id>`, so two
 * instances on one broker never mark each other unavailable or overwrite each other's sensors.
 */
export function instanceTopicPrefix(topicPrefix: string, clientId: string, defaultClientId = 'vigil'): string {
  if (clientId === defaultClientId) return topicPrefix;
  const level = clientId.replace(/[#+/\s]+/g, '_');
  return `${topicPrefix}/${level}`;
}

/**
 * An analyze_image name as a topic level and entity id part: its Home Assistant slug, and when
 * the slug loses the name entirely (only non-Latin characters, "前門"), a short stable hash of it,
 * so two such names never share a sensor.
 */
export function imageKey(imageName: string): string {
  const slug = haSlug(imageName);
  if (slug !== 'unknown' || /^unknown$/i.test(imageName.trim())) return slug;
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(imageName)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `image_${hash.toString(16).padStart(8, '0')}`;
}

/**
 * At most `max` characters as Home Assistant counts them (code points), cut at a word boundary
 * when one is near, with an ellipsis; the full text goes in the attributes.
 */
export function truncateState(text: string, max = HA_MAX_STATE): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  if (chars.length <= max) return flat;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  const head = space > cut.length * 0.8 ? cut.slice(0, space) : cut;
  return `${head.trimEnd()}…`;
}

function sensor(
  ctx: HaContext,
  key: string,
  name: string,
  stateTopic: string,
  kind: { component: 'sensor'; icon: string } | { component: 'binary_sensor'; deviceClass: string },
): SensorTopics {
  // The unique id keeps its old spelling (Home Assistant knows existing entities by it); the
  // entity id is what Home Assistant itself would make of the same words.
  const uniqueId = objectId(`${ctx.nodeId}_${key}`);
  return {
    configTopic: `${ctx.discoveryPrefix}/${kind.component}/${uniqueId}/config`,
    stateTopic,
    attributesTopic: `${stateTopic}/attributes`,
    config: {
      name,
      unique_id: uniqueId,
      // Home Assistant 2025.10+ (object_id is deprecated and stops working in 2026.4).
      default_entity_id: `${kind.component}.${haSlug(`${ctx.nodeId}_${key}`)}`,
      state_topic: stateTopic,
      json_attributes_topic: `${stateTopic}/attributes`,
      availability: [{ topic: `${ctx.topicPrefix}/status`, payload_available: 'online', payload_not_available: 'offline' }],
      ...(kind.component === 'sensor' ? { icon: kind.icon } : { device_class: kind.deviceClass, payload_on: 'ON', payload_off: 'OFF' }),
      device: {
        identifiers: [objectId(ctx.nodeId)],
        name: ctx.nodeId === 'vigil' ? 'Vigil' : `Vigil (${ctx.nodeId})`,
        manufacturer: 'Vigil',
        model: 'Video detective',
        sw_version: ctx.version,
      },
      origin: { name: 'Vigil', sw_version: ctx.version },
    },
  };
}

/** `sensor.vigil_<camera>_last_event`: the latest event's description (or summary). */
export function cameraSensor(ctx: HaContext, camera: { id: string; name: string }): SensorTopics {
  return sensor(ctx, `${camera.id}_last_event`, `${camera.name} last event`, `${ctx.topicPrefix}/camera/${camera.id}/last_event`, { component: 'sensor', icon: 'mdi:cctv' });
}

/** `binary_sensor.vigil_<camera>_connected`: ON while a live camera streams; its state and last error in the attributes. */
export function cameraConnectivitySensor(ctx: HaContext, camera: { id: string; name: string }): SensorTopics {
  return sensor(ctx, `${camera.id}_connected`, `${camera.name} connected`, `${ctx.topicPrefix}/camera/${camera.id}/connected`, {
    component: 'binary_sensor',
    deviceClass: 'connectivity',
  });
}

/** `sensor.vigil_image_<image_name slug>`: the latest final_description of analyze_image for that name. */
export function imageSensor(ctx: HaContext, imageName: string): SensorTopics {
  const key = imageKey(imageName);
  return sensor(ctx, `image_${key}`, `${imageName} image`, `${ctx.topicPrefix}/image/${key}/state`, { component: 'sensor', icon: 'mdi:image-text' });
}
