/**
 * Composition of the generative-AI side: provider adapters from the `genai` config, each behind
 * its queue, and the analyze_image service. Split from app.ts to keep the root readable; like
 * app.ts it is the only other place that knows concrete adapters.
 */
import { realpath, readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type Database from 'better-sqlite3';
import { FanOutAnnouncer, InMemoryBus } from './adapters/announce/in-memory-bus.ts';
import { WebhookAnnouncer } from './adapters/announce/webhook-announcer.ts';
import { SafeImageFetcher } from './adapters/fetch/image-fetcher.ts';
import { createAnthropicProvider } from './adapters/llm/anthropic/anthropic-provider.ts';
import { createGeminiProvider } from './adapters/llm/gemini/gemini-provider.ts';
import { createOllamaProvider } from './adapters/llm/ollama/ollama-provider.ts';
import { createAzureOpenAiProvider, createOpenAiProvider } from './adapters/llm/openai/openai-provider.ts';
import { SharpImagePreparer } from './adapters/media/sharp-image-preparer.ts';
import { SqliteDescriptionStore } from './adapters/storage/sqlite/sqlite-description-store.ts';
import { SqliteEventStore } from './adapters/storage/sqlite/sqlite-event-store.ts';
import { SqliteImageAnalysisStore } from './adapters/storage/sqlite/sqlite-image-analysis-store.ts';
import type { GenaiConfig, VigilConfig } from './config/index.ts';
import type { TextAnalysis } from './domain/search/text-analysis.ts';
import type { EventNotifier } from './ports/event-feed.ts';
import type { EventIndexer } from './ports/search-index.ts';
import { AnswerService, descriptionSummaryFrom } from './services/genai/answers/index.ts';
import { DescriptionService } from './services/genai/descriptions/index.ts';
import { EmbeddingService } from './services/genai/embeddings/index.ts';
import { SqliteVectorIndex } from './adapters/storage/sqlite/sqlite-vector-index.ts';
import { AskService } from './services/search/ask.service.ts';
import type { SearchService } from './services/search/search.service.ts';
import type { LlmProvider, ProviderKind, ProviderSettings } from './ports/llm-provider.ts';
import type { Clock, Logger } from './ports/logger.ts';
import { AnalyzeImageService, type AnalyzeImageInstance } from './services/genai/analyze-image.service.ts';
import type { ProviderRegistry } from './services/genai/provider-registry.ts';
import { ProviderQueue, type ProviderQueueStats } from './services/genai/queue/index.ts';

const ADAPTERS: Record<ProviderKind, (settings: ProviderSettings) => LlmProvider> = {
  ollama: createOllamaProvider,
  openai: createOpenAiProvider,
  azure_openai: createAzureOpenAiProvider,
  gemini: createGeminiProvider,
  anthropic: createAnthropicProvider,
};

interface ProviderEntry {
  settings: ProviderSettings;
  concurrency?: number;
  maxQueued: number;
}

/** The configured providers by name; a Frigate-style block directly under genai is called "default". */
export function providerEntries(genai: GenaiConfig): ProviderEntry[] {
  const entries: ProviderEntry[] = [];
  if (genai.provider && genai.model) {
    entries.push({
      settings: {
        name: 'default',
        kind: genai.provider,
        model: genai.model,
        ...(genai.embedding_model ? { embeddingModel: genai.embedding_model } : {}),
        ...(genai.base_url ? { baseUrl: genai.base_url } : {}),
        ...(genai.api_key ? { apiKey: genai.api_key } : {}),
        providerOptions: genai.provider_options ?? {},
        timeoutMs: (genai.timeout_s ?? 180) * 1000,
      },
      ...(genai.concurrency !== undefined ? { concurrency: genai.concurrency } : {}),
      maxQueued: genai.max_queued ?? 200,
    });
  }
  for (const [name, p] of Object.entries(genai.providers)) {
    entries.push({
      settings: {
        name,
        kind: p.provider,
        model: p.model,
        ...(p.embedding_model ? { embeddingModel: p.embedding_model } : {}),
        ...(p.base_url ? { baseUrl: p.base_url } : {}),
        ...(p.api_key ? { apiKey: p.api_key } : {}),
        providerOptions: p.provider_options,
        timeoutMs: p.timeout_s * 1000,
      },
      ...(p.concurrency !== undefined ? { concurrency: p.concurrency } : {}),
      maxQueued: p.max_queued,
    });
  }
  return entries;
}

export interface GenaiProviders extends ProviderRegistry {
  stats(): ProviderQueueStats[];
}

export function createProviderRegistry(genai: GenaiConfig, logger: Logger): GenaiProviders {
  const queues = new Map<string, ProviderQueue>();
  for (const entry of providerEntries(genai)) {
    const adapter = ADAPTERS[entry.settings.kind](entry.settings);
    queues.set(
      entry.settings.name,
      new ProviderQueue({
        provider: adapter,
        options: { ...(entry.concurrency !== undefined ? { concurrency: entry.concurrency } : {}), maxQueued: entry.maxQueued },
        logger,
      }),
    );
  }
  return {
    names: () => [...queues.keys()],
    get: (name, context) => queues.get(name)?.provider(context),
    stats: () => [...queues.values()].map((q) => q.stats()),
  };
}

/** analyze_image instances from config; with none configured, the default provider describes alone. */
export function analyzeImageInstances(genai: GenaiConfig, providers: ProviderRegistry): Array<[string, AnalyzeImageInstance]> {
  const configured = Object.entries(genai.analyze_image.instances).map(([name, i]): [string, AnalyzeImageInstance] => [
    name,
    { vision: i.vision, ...(i.text ? { text: i.text } : {}), ...(i.prompt ? { prompt: i.prompt } : {}), ...(i.text_prompt ? { textPrompt: i.text_prompt } : {}) },
  ]);
  if (configured.length > 0) return configured;
  const fallback = genai.roles.descriptions ?? providers.names()[0];
  return fallback ? [[fallback, { vision: fallback, ...(genai.roles.answers ? { text: genai.roles.answers } : {}) }]] : [];
}

export interface AnalyzeImageApp {
  service: AnalyzeImageService;
  feed: InMemoryBus;
  providers: GenaiProviders;
}

export function createAnalyzeImageApp(genai: GenaiConfig, deps: { db: Database.Database; logger: Logger; clock: Clock }): AnalyzeImageApp {
  const providers = createProviderRegistry(genai, deps.logger);
  const feed = new InMemoryBus();
  const announcer = genai.webhooks.length > 0 ? new FanOutAnnouncer([feed, new WebhookAnnouncer(genai.webhooks, { logger: deps.logger })]) : feed;
  const settings = genai.analyze_image;
  const service = new AnalyzeImageService({
    fetcher: new SafeImageFetcher({ maxBytes: settings.max_bytes, timeoutMs: settings.fetch_timeout_s * 1000, maxRedirects: settings.max_redirects, allowedHosts: settings.allowed_hosts }),
    preparer: new SharpImagePreparer(),
    providers,
    instances: analyzeImageInstances(genai, providers),
    store: new SqliteImageAnalysisStore(deps.db),
    announcer,
    clock: deps.clock,
    language: genai.languages[0] ?? 'en',
    imageMaxSize: genai.image_max_size,
  });
  return { service, feed, providers };
}

/**
 * The description store owns the search entry's description field, so the analysis store must
 * index through it: otherwise re-indexing an event would blank its description in search.
 */
export function createDescriptionStore(db: Database.Database, text: TextAnalysis, indexer: EventIndexer): SqliteDescriptionStore {
  return new SqliteDescriptionStore(db, { indexer, tokenize: (t) => text.indexTokens(t).join(' ') });
}

/** Reads a file under the data directory, refusing anything that resolves outside it. */
function dataFileReader(dataDir: string) {
  return async (path: string): Promise<Uint8Array | undefined> => {
    try {
      const root = await realpath(dataDir);
      const file = await realpath(resolve(root, path));
      const rel = relative(root, file);
      if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return undefined;
      return new Uint8Array(await readFile(file));
    } catch {
      return undefined;
    }
  };
}

/** Event descriptions, when a provider can do them (whether or not automatic description is on). */
export function createDescriptionService(
  config: VigilConfig,
  deps: {
    db: Database.Database;
    store: SqliteDescriptionStore;
    providers: ProviderRegistry;
    logger: Logger;
    clock: Clock;
    timeZone: string;
    onDescribed?: (eventId: string) => void;
    notifier?: EventNotifier;
  },
): DescriptionService | undefined {
  const providerName = config.genai.roles.descriptions ?? deps.providers.names()[0];
  if (!providerName) return undefined;
  return new DescriptionService({
    store: deps.store,
    events: new SqliteEventStore(deps.db),
    providers: deps.providers,
    providerName,
    preparer: new SharpImagePreparer(),
    readFile: dataFileReader(config.storage.data_dir),
    genai: config.genai,
    cameras: Object.entries(config.cameras).map(([id, c]) => ({
      id,
      name: c.name,
      timeZone: c.timezone ?? deps.timeZone,
      genai: c.genai,
      ruleNames: Object.fromEntries([...Object.entries(c.zones), ...Object.entries(c.tripwires)].map(([k, r]) => [k, r.display_name ?? k])),
    })),
    defaultTimeZone: deps.timeZone,
    clock: deps.clock,
    logger: deps.logger,
    ...(deps.onDescribed ? { onDescribed: deps.onDescribed } : {}),
    ...(deps.notifier ? { notifier: deps.notifier } : {}),
  });
}

/** Embeddings for hybrid search, when genai.roles.embeddings names a provider. */
export function createEmbeddingService(
  config: VigilConfig,
  deps: { db: Database.Database; descriptionStore: SqliteDescriptionStore; providers: ProviderRegistry; logger: Logger; clock: Clock },
): EmbeddingService | undefined {
  const providerName = config.genai.roles.embeddings;
  if (!providerName) return undefined;
  const entry = providerEntries(config.genai).find((e) => e.settings.name === providerName);
  if (!entry) return undefined;
  const vectors = new SqliteVectorIndex(deps.db);
  return new EmbeddingService({
    jobs: vectors,
    index: vectors,
    events: new SqliteEventStore(deps.db),
    descriptions: deps.descriptionStore,
    providers: deps.providers,
    providerName,
    model: entry.settings.embeddingModel ?? entry.settings.model,
    clock: deps.clock,
    logger: deps.logger,
  });
}

/** Questions: search, plus a model's cited answer when genai.roles.answers names a provider. */
export function createAskService(
  loaded: { config: VigilConfig },
  deps: { search: SearchService; providers: ProviderRegistry; descriptions: DescriptionService | undefined; logger: Logger; clock: Clock; text?: TextAnalysis; timeZone?: string },
): AskService {
  const config = loaded.config;
  const timeZone = deps.timeZone ?? config.search.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const providerName = config.genai.roles.answers;
  if (!providerName) return new AskService({ search: deps.search, timeZone });
  const toSimplified = deps.text ? (t: string) => deps.text!.toSimplified(t) : undefined;
  const answers = new AnswerService({
    providers: deps.providers,
    providerName,
    clock: deps.clock,
    logger: deps.logger,
    ...(toSimplified ? { toSimplified } : {}),
    ...(deps.descriptions
      ? { descriptionSummary: (id: string, lang: 'en' | 'zh-Hant' | 'zh-Hans') => descriptionSummaryFrom(deps.descriptions!.state(id), lang, toSimplified ?? ((t: string) => t)) }
      : {}),
  });
  return new AskService({ search: deps.search, answers, timeZone });
}
