import type { LlmImage } from './llm-provider.ts';

/** Makes an image ready for a vision model: decoded, oriented, fitted into `maxSize` pixels, as JPEG. */
export interface ImagePreparer {
  prepare(image: { data: Uint8Array }, maxSize: number): Promise<LlmImage>;
}
