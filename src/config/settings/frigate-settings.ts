/** The `frigate` block as the Frigate sidecar takes it. */
import type { FrigateSidecarSettings } from '../../services/frigate/frigate-sidecar.ts';
import { vigilCameraId } from '../../services/frigate/frigate-triggers.ts';
import type { FrigateConfig } from '../integrations.schema.ts';

export function frigateSettings(frigate: FrigateConfig): FrigateSidecarSettings {
  return {
    topicPrefix: frigate.topic_prefix,
    triggers: frigate.triggers,
    writeDescription: frigate.write_description,
    publishTrackedObjectUpdate: frigate.publish_description_update,
    cameras: Object.fromEntries(
      Object.entries(frigate.cameras).map(([name, c]) => [
        name,
        { enabled: c.enabled, vigilCamera: c.camera ?? vigilCameraId(name), ...(c.objects ? { objects: c.objects } : {}), requiredZones: c.required_zones, restrictedZones: c.restricted_zones },
      ]),
    ),
  };
}
