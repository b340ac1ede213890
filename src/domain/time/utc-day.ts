/** A UTC day as YYYY-MM-DD: how gateway usage is kept, summed and limited (tokens per day). */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
