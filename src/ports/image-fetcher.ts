import type { LlmImage } from './llm-provider.ts';

export interface FetchedImage extends LlmImage {
  /** Where the bytes finally came from, after redirects. */
  finalUrl: string;
}

/** Fetches user-supplied image URLs within limits of size, time, redirects and allowed hosts. */
export interface ImageFetcher {
  fetch(url: string, options?: { signal?: AbortSignal }): Promise<FetchedImage>;
}
