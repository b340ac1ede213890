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

/** [a-zA-Z0-9_-] as Home Assistant requires for object ids, lower-cased for entity ids. */
export function objectId(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]+/g, '_');
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
  const uniqueId = objectId(`${ctx.nodeId}_${key}`);
  return {
    configTopic: `${ctx.discoveryPrefix}/${kind.component}/${uniqueId}/config`,
    stateTopic,
    attributesTopic: `${stateTopic}/attributes`,
    config: {
      name,
      unique_id: uniqueId,
      // Home Assistant 2025.10+ (object_id is deprecated and stops working in 2026.4).
      default_entity_id: `${kind.component}.${uniqueId}`,
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

/** `sensor.vigil_<image_name>`: the latest final_description of analyze_image for that name. */
export function imageSensor(ctx: HaContext, imageName: string): SensorTopics {
  const key = objectId(imageName);
  return sensor(ctx, `image_${key}`, `${imageName} image`, `${ctx.topicPrefix}/image/${key}/state`, { component: 'sensor', icon: 'mdi:image-text' });
}
