import type { AnnouncementFeed, Announcer, ImageAnalysis } from '../../ports/image-analysis-store.ts';

export interface Announcement {
  topic: 'image_analyzed';
  payload: ImageAnalysis;
}

type Listener = (announcement: Announcement) => void;

/** In-process fan-out of announcements to whoever listens (the SSE stream's open connections). */
export class InMemoryBus implements Announcer, AnnouncementFeed {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  announce(topic: 'image_analyzed', payload: ImageAnalysis): void {
    for (const listener of [...this.listeners]) listener({ topic, payload });
  }
}

/** Several announcers as one. */
export class FanOutAnnouncer implements Announcer {
  constructor(private readonly announcers: readonly Announcer[]) {}

  announce(topic: 'image_analyzed', payload: ImageAnalysis): void {
    for (const announcer of this.announcers) announcer.announce(topic, payload);
  }
}
