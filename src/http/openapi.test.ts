import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HTTP_STATUS } from './http-error.ts';
import { openApiDocument } from './openapi.ts';

/** `### \`GET /api/events/:id\`` → `get /api/events/{id}`, as the OpenAPI document names it. */
function operationKey(method: string, path: string): string {
  return `${method.toLowerCase()} ${path.replace(/:([a-z_]+)/g, '{$1}').replace(/<([a-z_]+)>/g, '{$1}')}`;
}

/** Each endpoint section of docs/api.md with the statuses its "Status codes" line gives. */
function documentedStatuses(): Map<string, string[] | undefined> {
  const docs = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const sections = docs.split(/^(?=### )/m).slice(1);
  const byOperation = new Map<string, string[] | undefined>();
  for (const section of sections) {
    const heading = /^### `(GET|POST) (\S+)`/.exec(section);
    if (!heading) continue;
    // The paragraph that starts with "Status codes:", which may wrap over several lines.
    const at = section.search(/^Status codes: /m);
    const line = at < 0 ? undefined : section.slice(at).split(/\n\s*\n/)[0];
    byOperation.set(operationKey(heading[1]!, heading[2]!), line ? [...line.matchAll(/\b(\d{3})\b/g)].map((m) => m[1]!).sort() : undefined);
  }
  return byOperation;
}

describe('the documented status codes', () => {
  it('are, per endpoint, the ones the OpenAPI document gives', () => {
    const doc = openApiDocument('test');
    const fromOpenApi = new Map<string, string[]>();
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations as Record<string, { responses: Record<string, unknown> }>)) {
        fromOpenApi.set(`${method} ${path}`, Object.keys(operation.responses).sort());
      }
    }
    expect(Object.fromEntries(documentedStatuses())).toEqual(Object.fromEntries(fromOpenApi));
  });

  it('are statuses some error code has (besides 200 and 304)', () => {
    const known = new Set(['200', '304', ...Object.values(HTTP_STATUS).map(String)]);
    for (const [operation, statuses] of documentedStatuses()) {
      for (const status of statuses ?? []) expect(known.has(status), `${operation}: ${status}`).toBe(true);
    }
  });
});

describe('GET /api/workers in the document', () => {
  it('answers the WorkersResponse component', () => {
    const doc = openApiDocument('test');
    expect(doc.paths['/api/workers'].get.responses[200].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/WorkersResponse' });
    const component = doc.components.schemas['WorkersResponse'] as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(component.properties).sort()).toEqual(['cameras', 'lease_seconds', 'workers']);
    expect(component.required.sort()).toEqual(['cameras', 'lease_seconds', 'workers']);
  });
});
