/**
 * A private MQTT broker for one test file: Mosquitto (`mosquitto -c <tmp conf>`) on a free port
 * bound to 127.0.0.1 when the binary is installed, else Aedes embedded in the test process, so
 * the tests never touch a shared broker and still pass on a machine without Mosquitto.
 *
 *   const broker = await startTestBroker();
 *   ... connect to broker.host:broker.port ...
 *   await broker.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.ts';

export interface TestBroker {
  kind: 'mosquitto' | 'aedes';
  host: string;
  port: number;
  url: string;
  /** Stops and starts it again on the same port, retained messages lost (a broker reboot). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function findMosquitto(): string | undefined {
  const candidates = ['/usr/sbin/mosquitto', ...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'mosquitto'))];
  return candidates.find((path) => existsSync(path));
}

export async function startTestBroker(options: { prefer?: 'mosquitto' | 'aedes' } = {}): Promise<TestBroker> {
  const port = await freePort();
  const binary = options.prefer === 'aedes' ? undefined : findMosquitto();
  return binary ? startMosquitto(binary, port) : startAedes(port);
}

async function startMosquitto(binary: string, port: number): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  // `user root` only matters when the tests run as root: it stops Mosquitto dropping to a user
  // that may not exist; otherwise it is ignored.
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information', ...(process.getuid?.() === 0 ? ['user root'] : [])].join('\n') + '\n');
  let child: ChildProcess | undefined;

  const launch = async () => {
    const proc = spawn(binary, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Never leave a broker behind that the test could not use.
        proc.kill('SIGKILL');
        reject(new Error(`mosquitto did not start within 10 s:\n${output}`));
      }, 10_000);
      proc.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        // Printed once the listener is open.
        if (/running/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`mosquitto exited with ${code}:\n${output}`));
      });
    });
  };
  const halt = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  };

  await launch();
  return {
    kind: 'mosquitto',
    host: '127.0.0.1',
    port,
    url: `mqtt://127.0.0.1:${port}`,
    restart: async () => {
      await halt();
      await launch();
    },
    stop: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startAedes(port: number): Promise<TestBroker> {
  const { Aedes } = await import('aedes');
  let server: Server | undefined;
  let broker: InstanceType<typeof Aedes> | undefined;

  const launch = async () => {
    const fresh = await Aedes.createBroker();
    const listening = createServer((socket) => fresh.handle(socket));
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', resolve);
    });
    broker = fresh;
    server = listening;
  };
  const halt = async () => {
    const [s, b] = [server, broker];
    server = undefined;
    broker = undefined;
    if (b) await new Promise<void>((resolve) => b.close(() => resolve()));
    // Closing the broker drops its clients, so the server's close completes.
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await launch();
  return {
    kind: 'aedes',
    host: '127.0.0.1',
    port,
    url: `mqtt://127.0.0.1:${port}`,
    restart: async () => {
      await halt();
      await launch();
    },
    stop: halt,
  };
}
