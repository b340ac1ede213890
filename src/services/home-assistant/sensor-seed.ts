import type { EventStore } from '../../ports/event-store.ts';
import type { StoredEvent } from '../../ports/analysis-store.ts';
import type { DescriptionView } from '../genai/descriptions/index.ts';

/** The text a sensor shows for a description: the main summary, else the scene, else the raw output. */
export function descriptionText(view: DescriptionView | undefined): string | undefined {
  const d = view?.description;
  if (!d) return undefined;
  return d.json ? (Object.values(d.json.summaries).find((s) => s !== undefined) ?? d.json.scene) : d.rawText;
}

/** What each camera's sensor showed before a restart: its latest stored event, with its description. */
export async function latestEventPerCamera(
  events: Pick<EventStore, 'countEvents' | 'listEvents'>,
  cameraIds: readonly string[],
  description: (eventId: string) => Promise<DescriptionView | undefined>,
): Promise<Array<{ stored: StoredEvent; description?: string }>> {
  const latest: Array<{ stored: StoredEvent; description?: string }> = [];
  for (const id of cameraIds) {
    const count = await events.countEvents({ cameraId: id });
    const [stored] = count > 0 ? await events.listEvents({ cameraId: id, limit: 1, offset: count - 1 }) : [];
    if (!stored) continue;
    const text = descriptionText(await description(stored.event.id));
    latest.push({ stored, ...(text !== undefined ? { description: text } : {}) });
  }
  return latest;
}
