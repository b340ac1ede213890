export { EmbeddingService } from './embedding.service.ts';
export type {
  EmbeddingServiceDeps,
  EmbeddingStatus,
  QueryEmbedding,
  SemanticFallback,
  SemanticFallbackReason,
  SimilarEvents,
  SimilarEventsOptions,
} from './embedding.service.ts';
export { DEFAULT_MAX_TEXT_CHARS, eventText } from './event-text.ts';
