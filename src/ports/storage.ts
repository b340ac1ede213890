import type { AnalysisStore } from './analysis-store.ts';
import type { Broadcast } from './broadcast.ts';
import type { DescriptionStore } from './description-store.ts';
import type { EventStore } from './event-store.ts';
import type { GatewayKeyStore, GatewayUsageStore } from './gateway-store.ts';
import type { ImageAnalysisStore } from './image-analysis-store.ts';
import type { Leadership } from './leadership.ts';
import type { JobQueue } from './job-queue.ts';
import type { RetentionStore } from './retention-store.ts';
import type { SearchIndexMaintenance } from './search-index.ts';
import type { SearchStore } from './search-store.ts';
import type { VectorIndex } from './vector-index.ts';
import type { WorkerRegistry } from './worker-registry.ts';

/**
 * Everything Vigil stores, as one backend provides it (SQLite in a file, or PostgreSQL). Each
 * store is built on first use; the services see only these ports.
 */
export interface Storage {
  readonly analyses: AnalysisStore;
  readonly events: EventStore;
  readonly descriptions: DescriptionStore;
  readonly searchIndex: SearchIndexMaintenance;
  readonly search: SearchStore;
  readonly vectors: VectorIndex;
  readonly jobs: JobQueue;
  readonly retention: RetentionStore;
  readonly imageAnalyses: ImageAnalysisStore;
  readonly gatewayKeys: GatewayKeyStore;
  readonly gatewayUsage: GatewayUsageStore;
  /** The processes sharing this storage and which of them analyses which live camera. */
  readonly workers: WorkerRegistry;
  /** Messages to the other processes on this storage; undefined where only one process uses it (SQLite). */
  readonly broadcast?: Broadcast;
  /** Which process does the duties only one may do (MQTT integrations, retention); undefined where only one process uses it (SQLite). */
  readonly leadership?: Leadership;
  /** Where the data is, for people (a file path, or a URL without its password). */
  readonly location: string;
  /** Connects and brings the schema up to date; idempotent. Stores also open on first use. */
  open(): Promise<void>;
  close(): Promise<void>;
}
