import { spawn, type ChildProcess } from 'node:child_process';
import { main } from '../../src/cli/main.ts';
import { CLI_ENTRY, REPO_ROOT } from './media.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in this process with captured output. */
export async function runCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? {},
    stdout: { write: (t: string) => ((stdout += t), true) },
    stderr: { isTTY: false, write: (t: string) => ((stderr += t), true) },
    onInterrupt: () => () => undefined,
  });
  return { code, stdout, stderr };
}

/**
 * Start the CLI from source as a real child process (so it can be killed like a user would).
 * It runs in the repository so that `--import tsx` resolves; pass absolute paths.
 */
export function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}
