/**
 * Claude Code itself as the gateway's client: the real `claude` CLI (the @anthropic-ai/claude-code
 * npm package) pointed at `vigil serve` with its documented variables, Vigil forwarding to a
 * server that speaks Ollama's protocol. The backend answers the first turn with a call of Claude
 * Code's own Read tool, so the turn only completes if Claude Code understood the streamed tool_use,
 * read the file itself and sent its content back as a tool_result that reached the backend.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVigil, type RunningServer } from '../../src/app.ts';
import { parseConfigText } from '../../src/config/index.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { startFakeModelServer, type FakeModelServer, type RecordedModelRequest } from '../support/fake-model-server.ts';
import { REPO_ROOT } from '../support/media.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const CLAUDE = join(REPO_ROOT, 'node_modules', '.bin', 'claude');
/** A line only the file holds: the answer can only contain it if the file was read. */
const FILE_LINE = `camera log ${Math.random().toString(36).slice(2, 10)}`;

let dir: string;
let backend: FakeModelServer;
let vigil: ReturnType<typeof createVigil>;
let server: RunningServer;
let secret: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-claude-code-'));
  mkdirSync(join(dir, 'work'));
  mkdirSync(join(dir, 'home'));
  writeFileSync(join(dir, 'work', 'notes.txt'), `${FILE_LINE}\n`);
  backend = await startFakeModelServer();
  const text = `storage:\n  data_dir: data\ngenai:\n  providers:\n    local: { provider: ollama, model: "qwen3:8b", base_url: "${backend.url}", concurrency: 1 }\ngateway:\n  enabled: true\n  models:\n    - { name: "*", provider: local }\n`;
  const loaded = { ...parseConfigText(text, { env: {}, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
  vigil = createVigil(loaded, { logger: silent });
  secret = (await vigil.gatewayKeys.create('claude-code')).secret;
  server = await vigil.serve({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.close();
  await backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The text of the last tool message the backend received (Ollama's role "tool"). */
function toolResultOf(request: RecordedModelRequest): string | undefined {
  const messages = (request.body as { messages?: Array<{ role: string; content?: string }> }).messages ?? [];
  return messages.filter((m) => m.role === 'tool').at(-1)?.content;
}

function runClaude(prompt: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLAUDE, ['-p', prompt], {
      cwd: join(dir, 'work'),
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: join(dir, 'home'),
        ANTHROPIC_BASE_URL: server.url,
        ANTHROPIC_AUTH_TOKEN: secret,
        ANTHROPIC_MODEL: 'qwen3:8b',
        ANTHROPIC_DEFAULT_HAIKU_MODEL: 'qwen3:8b',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('Claude Code -> Vigil gateway -> an Ollama-protocol backend', () => {
  it('completes a turn that reads a file through its own Read tool', async () => {
    backend.script(
      (request) => {
        const body = request.body as { tools?: Array<{ function: { name: string } }> };
        // Claude Code sends its tools with every request; without them the model could not call Read.
        const names = (body.tools ?? []).map((t) => t.function.name);
        if (!names.includes('Read')) return { text: [`no Read tool among: ${names.join(', ')}`] };
        return { toolCalls: [{ name: 'Read', arguments: { file_path: join(dir, 'work', 'notes.txt') } }] };
      },
      (request) => ({ text: ['The file says: ', JSON.stringify(toolResultOf(request) ?? 'NO TOOL RESULT')] }),
    );
    const result = await runClaude('What does notes.txt say?');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('The file says:');
    expect(result.stdout).toContain(FILE_LINE);

    const chats = backend.chatRequests();
    expect(chats.length).toBeGreaterThanOrEqual(2);
    expect(chats[0]!.headers['authorization']).toBeUndefined();
    expect(toolResultOf(chats[1]!)).toContain(FILE_LINE);
    // What Vigil accounted for the key.
    const usage = await vigil.gatewayKeys.usage({ key: 'claude-code' });
    expect(usage.totals.find((t) => t.model === 'qwen3:8b')).toMatchObject({ requests: chats.length, failures: 0 });
  });

  it('is refused without a valid key, and says so', async () => {
    const before = backend.chatRequests().length;
    const child = spawn(CLAUDE, ['-p', 'hello'], {
      cwd: join(dir, 'work'),
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: join(dir, 'home'),
        ANTHROPIC_BASE_URL: server.url,
        ANTHROPIC_AUTH_TOKEN: 'vk_not-a-key',
        ANTHROPIC_MODEL: 'qwen3:8b',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // A 401 says not to retry (x-should-retry: false); without it Claude Code retries for minutes.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    expect(code).not.toBe(0);
    expect(output).toContain('invalid or revoked API key');
    expect(backend.chatRequests().length).toBe(before);
  });
});
