import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPgLeadership } from '../../../src/adapters/storage/postgres/pg-leadership.ts';
import type { Campaign, LeaderRole } from '../../../src/ports/leadership.ts';
import { REPO_ROOT } from '../../support/media.ts';
import { adminQuery, createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../../support/postgres.ts';

const skip = await skipWithoutPostgres('leadership by PostgreSQL advisory locks');
const CHECK_MS = 200;

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A process's campaign, with what it was told. */
function candidate(url: string, role: LeaderRole = 'integrations') {
  const state = { leading: false, elections: 0, depositions: 0 };
  const errors: string[] = [];
  const leadership = createPgLeadership(url, { checkMs: CHECK_MS, onError: (_role, error) => errors.push(error.message) });
  const campaign: Campaign = leadership.campaign(role, {
    onElected: () => {
      state.leading = true;
      state.elections++;
    },
    onDeposed: () => {
      state.leading = false;
      state.depositions++;
    },
  });
  return { state, campaign, errors };
}

describe.skipIf(skip)('leadership by PostgreSQL session advisory locks', () => {
  let database: TestDatabase;
  const campaigns: Campaign[] = [];
  const open = (role?: LeaderRole) => {
    const c = candidate(database.url, role);
    campaigns.push(c.campaign);
    return c;
  };

  const children: ChildProcess[] = [];
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
    for (const c of campaigns.splice(0)) await c.stop();
    await database.drop();
  });

  it('elects one of three, and each role separately', async () => {
    const [a, b, c] = [open(), open(), open()];
    const firsts = await Promise.all([a, b, c].map((x) => x.campaign.firstAttempt));
    expect(firsts.filter(Boolean)).toHaveLength(1);
    // A few more rounds change nothing.
    await new Promise((r) => setTimeout(r, 3 * CHECK_MS));
    expect([a, b, c].filter((x) => x.state.leading)).toHaveLength(1);
    expect([a, b, c].reduce((n, x) => n + x.state.elections, 0)).toBe(1);
    // Retention is another role: held independently.
    const sweeper = open('retention');
    expect(await sweeper.campaign.firstAttempt).toBe(true);
  });

  it('hands the role over when the leader stops, at the next round of another', async () => {
    const a = open();
    expect(await a.campaign.firstAttempt).toBe(true);
    const b = open();
    expect(await b.campaign.firstAttempt).toBe(false);
    await a.campaign.stop();
    await until(() => b.state.leading, 'b to be elected', 5 * CHECK_MS);
  });

  it("deposes a leader whose connection the server ended, and elects another; the old one can come back only as a candidate", async () => {
    const a = open();
    expect(await a.campaign.firstAttempt).toBe(true);
    const b = open();
    expect(await b.campaign.firstAttempt).toBe(false);
    await adminQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'vigil-leader-integrations' AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)", [database.name]);
    await until(() => a.state.depositions === 1, 'a to be deposed');
    await until(() => b.state.leading || a.state.leading, 'a new leader');
    await new Promise((r) => setTimeout(r, 3 * CHECK_MS));
    expect([a.state.leading, b.state.leading].filter(Boolean)).toHaveLength(1);
  });

  it("the server ends the session of a leader that stopped (SIGSTOP: a paused VM), so another is elected, and the old one steps down when it resumes", async () => {
    const { rows } = await adminQuery<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    expect(Number(rows[0]!.v), 'idle_session_timeout needs PostgreSQL 14 or later').toBeGreaterThanOrEqual(140000);
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test', 'support', 'leader-process.ts'), database.url, String(CHECK_MS)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until(() => output.includes('elected'), 'the child to be elected', 30_000);
    const b = open();
    expect(await b.campaign.firstAttempt).toBe(false);

    child.kill('SIGSTOP');
    const pausedAt = Date.now();
    // Its session is ended after 3 checks without a sign of life; b takes the lock at its next round.
    await until(() => b.state.leading, 'b to be elected', 20 * CHECK_MS);
    const takeoverMs = Date.now() - pausedAt;
    expect(takeoverMs).toBeGreaterThanOrEqual(3 * CHECK_MS);
    child.kill('SIGCONT');
    await until(() => output.includes('deposed'), 'the resumed child to step down', 10 * CHECK_MS);
    await new Promise((r) => setTimeout(r, 3 * CHECK_MS));
    expect(b.state.leading).toBe(true);
    expect(output.split('\n').filter((l) => l === 'elected')).toHaveLength(1);
  });
});
