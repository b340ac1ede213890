/** The camera presenter with what the integrations know (issue 12), held to the contract. */
import { describe, expect, it } from 'vitest';
import { cameraSchema } from '../contract/api.schemas.ts';
import { presentCamera, type CameraListing } from './presenters.ts';

const cam: CameraListing = { id: 'front', name: 'Front door', aliases: [], timeZone: 'UTC', zones: [], tripwires: [] };

describe('presentCamera', () => {
  it('adds Frigate arrivals, gaps and skipped descriptions when there are any', () => {
    const wire = presentCamera(cam, undefined, undefined, {
      frigate: { frigateCamera: 'Front_Door', camera: 'front', received: { new: 3, update: 40, end: 2 }, gaps: { updateWithoutNew: 1, endWithoutNew: 0 }, lastMessageAtMs: Date.UTC(2026, 11, 7, 10) },
      descriptionsDropped: 5,
    });
    expect(cameraSchema.parse(wire)).toMatchObject({
      frigate: { messages: { new: 3, update: 40, end: 2 }, gaps: { update_without_new: 1, end_without_new: 0 }, last_message_at: '2026-12-07T10:00:00.000Z' },
      descriptions_dropped: 5,
    });
  });

  it('leaves both out for a camera Frigate does not feed', () => {
    const wire = cameraSchema.parse(presentCamera(cam, undefined, undefined));
    expect(wire).not.toHaveProperty('frigate');
    expect(wire).not.toHaveProperty('descriptions_dropped');
  });
});
