import type { ProgressStream } from './progress-bar.ts';

/** What commands get from the process, injected so that tests can run the CLI in-process. */
export interface CliContext {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: { write(text: string): boolean };
  stderr: ProgressStream;
  /** Registers a Ctrl-C / SIGTERM handler; returns a function that removes it. */
  onInterrupt(handler: () => void): () => void;
}
