import { z } from 'zod';
import { eventsQuerySchema, searchQuerySchema } from './query-schemas.ts';

/** Query parameters of an endpoint, generated from the same zod schema that validates them. */
function parameters(schema: z.ZodObject): unknown[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: s,
  }));
}

const errorResponse = {
  description: 'An error',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
    },
  },
};

const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });

/** The OpenAPI description served at /api/openapi.json; the prose reference is docs/api.md. */
export function openApiDocument(version: string) {
  return {
    openapi: '3.1.0',
    info: { title: 'Vigil API', version, description: 'Events, search and evidence media of a Vigil installation. See docs/api.md.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Required when Vigil listens beyond localhost.' } },
      responses: { Error: errorResponse },
    },
    security: [{ bearer: [] }, {}],
    paths: {
      '/api/health': { get: { summary: 'Liveness and counts', security: [], responses: { 200: json('status, version, events, cameras') } } },
      '/api/cameras': { get: { summary: 'Configured cameras with event counts and analysed footage', responses: { 200: json('{cameras: [...]}') } } },
      '/api/events': {
        get: {
          summary: 'Stored events, oldest first, filtered and paginated',
          parameters: parameters(eventsQuerySchema),
          responses: { 200: json('{total, events: [event]}'), 400: { $ref: '#/components/responses/Error' } },
        },
      },
      '/api/events/{id}': {
        get: {
          summary: 'One event with its evidence and media URLs',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: json('event'), 404: { $ref: '#/components/responses/Error' } },
        },
      },
      '/api/search': {
        get: {
          summary: 'Answer a question in Chinese or English with matching events, a timeline and what is missing',
          parameters: parameters(searchQuerySchema),
          responses: {
            200: json('{query, interpretation, answer, missing_info, timeline, total, total_exact, events}'),
            400: { $ref: '#/components/responses/Error' },
          },
        },
      },
      '/api/media/{path}': {
        get: {
          summary: 'Snapshots, thumbnails and kept frames under the data directory',
          parameters: [{ name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: { description: 'image/jpeg' }, 404: { $ref: '#/components/responses/Error' } },
        },
      },
    },
  };
}
