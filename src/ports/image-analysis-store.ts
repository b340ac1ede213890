/** One analyze_image result, with the field names Home Assistant's Ollama Vision uses. */
export interface ImageAnalysis {
  instance: string;
  image_name: string;
  image_url: string | null;
  prompt: string;
  description: string;
  used_text_model: boolean;
  text_prompt: string | null;
  final_description: string;
  /** ISO time the analysis finished. */
  created_at: string;
  model: string;
  text_model: string | null;
}

export interface ImageAnalysisStore {
  save(analysis: ImageAnalysis): Promise<void>;
  latest(imageName: string): Promise<ImageAnalysis | undefined>;
  /** The latest result of every image name (at most `limit` names, most recent first): Home Assistant's sensors after a restart. */
  latestPerName(limit?: number): Promise<ImageAnalysis[]>;
}

/** Who hears about finished analyses (the SSE stream, webhooks; MQTT later). */
export interface Announcer {
  announce(topic: 'image_analyzed', payload: ImageAnalysis): void;
}

/** Listening to announcements as they happen (what the SSE stream serves). */
export interface AnnouncementFeed {
  subscribe(listener: (announcement: { topic: 'image_analyzed'; payload: ImageAnalysis }) => void): () => void;
}
