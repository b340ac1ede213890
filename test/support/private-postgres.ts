import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { requireOrSkip } from './requirements.ts';

/**
 * A PostgreSQL server of a test's own: a new cluster (initdb) in a temporary folder, on a free
 * port, run from the machine's PostgreSQL binaries (Debian's, which this machine kind has for its
 * own server). A test may stop and start it at will, which it must not do to the shared server
 * that every other test file uses.
 */
export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth). */
  url: string;
  port: number;
  /** Fast shutdown (SIGINT: what `pg_ctl stop` and `systemctl restart` do): ends every connection, then exits. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  remove(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/** The newest installed PostgreSQL's initdb and postgres (Debian keeps them out of PATH). */
function findBinaries(): Binaries | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return { initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres') };
  }
  return undefined;
}

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function missingReason(): string | undefined {
  if (!findBinaries()) return 'no initdb/postgres under /usr/lib/postgresql/<version>/bin';
  try {
    runAs();
  } catch {
    return 'running as root, and there is no postgres user to run the server as';
  }
  return undefined;
}

/** requireOrSkip for a private server (skipped with the reason, or a failure in a strict run). */
export function skipWithoutPrivatePostgres(what: string): boolean {
  return requireOrSkip('postgres-binaries', what, missingReason());
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const binaries = findBinaries();
  if (!binaries) throw new Error(missingReason());
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-private-pg-'));
  const data = join(dir, 'data');
  if (user) chownSync(dir, user.uid, user.gid);
  execFileSync(binaries.initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'], {
    ...(user ?? {}),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const port = await freePort();
  let server: ChildProcess | undefined;
  let output = '';

  const start = () =>
    new Promise<void>((resolve, reject) => {
      // Durability off: this cluster lives for one test; a crash of the machine loses nothing of value.
      const child = spawn(
        binaries.postgres,
        ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off', '-c', 'max_connections=200'],
        { ...(user ?? {}), stdio: ['ignore', 'ignore', 'pipe'] },
      );
      server = child;
      const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start within 30 s:\n${output.slice(-2000)}`)), 30_000);
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (server === child) server = undefined;
        reject(new Error(`PostgreSQL exited (${code ?? signal}):\n${output.slice(-2000)}`));
      });
    }).finally(() => {
      output = '';
    });

  const stop = async () => {
    const child = server;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    await exited;
  };

  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    remove: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
