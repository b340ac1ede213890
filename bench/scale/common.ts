import { loadavg } from 'node:os';

export const log = (line: string) => process.stderr.write(`${line}\n`);
export const round = (n: number) => Math.round(n * 100) / 100;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The 1-minute load average, to tell figures taken on a busy machine. */
export const load = () => `load ${loadavg()[0]!.toFixed(2)}`;

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
