import { z } from 'zod';
import { apiRegistry } from '../contract/api.schemas.ts';
import { analyzeBodySchema } from '../services/genai/analyze-request.ts';
import { HTTP_STATUS } from './http-error.ts';
import { eventsQuerySchema, searchQuerySchema } from './query-schemas.ts';

type JsonSchema = Record<string, unknown>;

/** OpenAPI 3.1 takes JSON Schema 2020-12 as it is; the date-time format says enough without zod's long regex. */
const dropDatePattern = (ctx: { jsonSchema: unknown }) => {
  const json = ctx.jsonSchema as JsonSchema;
  if (json['format'] === 'date-time') delete json['pattern'];
};

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', override: dropDatePattern }) as JsonSchema;
  return rest;
}

/** The contract's named schemas, referring to each other by `#/components/schemas/<name>` (no `$schema`/`$id` per component). */
function componentSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(apiRegistry, { io: 'output', unrepresentable: 'any', override: dropDatePattern, uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...rest }]) => [id, rest as JsonSchema]));
}

/** Query parameters of an endpoint, generated from the same zod schema that validates them. */
function parameters(schema: z.ZodObject): unknown[] {
  const json = toJsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: json.required?.includes(name) ?? false, schema: s }));
}

const pathParameter = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const ok = (description: string, schema: string) => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } });
const error = { $ref: '#/components/responses/Error' };
/** The error responses an endpoint can give, by status (every status in HTTP_STATUS answers with ErrorBody). */
const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, error]));

/** Every status an error code can have, with the codes that have it (docs/api.md's table, generated). */
function errorCodesByStatus(): string {
  const byStatus = new Map<number, string[]>();
  for (const [code, status] of Object.entries(HTTP_STATUS)) byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  return [...byStatus.entries()].sort(([a], [b]) => a - b).map(([status, codes]) => `${status}: ${codes.join(', ')}`).join('; ');
}

/**
 * The OpenAPI description served at /api/openapi.json; the prose reference is docs/api.md, whose
 * "Status codes" line per endpoint lists the same statuses as `responses` here (openapi.test.ts).
 * Every request with a body can also get 413 (body-limits.ts); 500 can come from anywhere.
 */
export function openApiDocument(version: string) {
  return {
    openapi: '3.1.0',
    info: { title: 'Vigil API', version, description: 'Events, search and evidence media of a Vigil installation. See docs/api.md.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Required when Vigil listens beyond localhost.' } },
      schemas: componentSchemas(),
      responses: {
        Error: {
          description: `An error, with a stable code. Status by code: ${errorCodesByStatus()}.`,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
        },
      },
    },
    security: [{ bearer: [] }, {}],
    paths: {
      '/api/health': { get: { summary: 'Liveness and counts', security: [], responses: { 200: ok('Status, version and counts', 'Health') } } },
      '/api/cameras': {
        get: { summary: 'Cameras with event counts, analysed footage and live state', responses: { 200: ok('The cameras', 'CamerasResponse'), ...errors(401) } },
      },
      '/api/events': {
        get: {
          summary: 'Stored events, oldest first, filtered and paginated',
          parameters: parameters(eventsQuerySchema),
          responses: { 200: ok('A page of events', 'EventsPage'), ...errors(400, 401) },
        },
      },
      '/api/events/{id}': {
        get: {
          summary: 'One event with its evidence frames, media URLs and description state',
          parameters: [pathParameter('id')],
          responses: { 200: ok('The event', 'EventDetail'), ...errors(401, 404) },
        },
      },
      '/api/events/{id}/description/regenerate': {
        post: {
          summary: 'Describe the event now with the descriptions model',
          parameters: [pathParameter('id')],
          responses: { 200: ok('The description state after the attempt', 'DescriptionState'), ...errors(400, 401, 404, 413, 429, 502, 503, 504) },
        },
      },
      '/api/search': {
        get: {
          summary: 'Answer a question in Chinese or English with matching events, a timeline and what is missing',
          parameters: parameters(searchQuerySchema),
          responses: { 200: ok('The answer and the matching events', 'SearchResponse'), ...errors(400, 401) },
        },
      },
      '/api/analyze': {
        post: {
          summary: 'Describe an image (URL or upload), optionally rewritten by a text model',
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: toJsonSchema(analyzeBodySchema, 'input') },
              'multipart/form-data': { schema: { type: 'object', properties: { image: { type: 'string', format: 'binary' } }, description: 'An `image` file and the JSON fields as text.' } },
            },
          },
          responses: { 200: ok('The analysis', 'ImageAnalysis'), ...errors(400, 401, 413, 415, 422, 429, 502, 503, 504) },
        },
      },
      '/api/analyze/latest/{image_name}': {
        get: { summary: 'The latest analysis kept under a name', parameters: [pathParameter('image_name')], responses: { 200: ok('The analysis', 'ImageAnalysis'), ...errors(401, 404) } },
      },
      '/api/stream': {
        get: {
          summary: 'Server-sent events: `ready`, then `image_analyzed` (data: ImageAnalysis) per finished analysis',
          responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errors(401) },
        },
      },
      '/api/genai/stats': {
        get: { summary: 'Calls, tokens, latency and queue state per model provider', responses: { 200: ok('Provider statistics', 'GenaiStats'), ...errors(401) } },
      },
      '/api/jobs': {
        get: { summary: 'Background jobs per kind (descriptions, embeddings, Frigate): counts, the oldest due job, recent failures', responses: { 200: ok('The job queue', 'JobsStatus'), ...errors(401) } },
      },
      '/api/workers': {
        get: {
          summary: 'The Vigil processes sharing the storage (heartbeat, frames per camera) and which of them holds each live camera',
          responses: { 200: ok('Workers and camera leases', 'WorkersResponse'), ...errors(401) },
        },
      },
      '/api/gateway/usage': {
        get: {
          summary: 'Gateway API keys (names, prefixes, limits, requests running) and their usage per key, model and UTC day',
          parameters: [
            { name: 'days', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 3660, default: 7 }, description: 'UTC days back, today included.' },
            { name: 'key', in: 'query', required: false, schema: { type: 'string' }, description: 'One key by name.' },
          ],
          responses: { 200: ok('Keys and usage', 'GatewayUsage'), ...errors(400, 401, 404) },
        },
      },
      '/api/media/{path}': {
        get: {
          summary: 'Snapshots, thumbnails and kept frames under the data directory',
          parameters: [pathParameter('path')],
          responses: { 200: { description: 'The image', content: { 'image/jpeg': {}, 'image/png': {} } }, 304: { description: 'Not modified' }, ...errors(401, 404) },
        },
      },
      '/api/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': {} } }, ...errors(401) } } },
      '/metrics': {
        get: { summary: 'Prometheus metrics of `vigil serve`', responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': {} } }, ...errors(401) } },
      },
    },
  };
}
