/**
 * The one way a test may depend on something outside npm (GStreamer's RTSP server, the system's
 * ffmpeg, ...): `requireOrSkip(name, missing)`. When the thing is there it returns false and the
 * test runs. When it is missing, the test is skipped with the reason printed, never silently; in
 * strict mode (`VIGIL_TEST_STRICT=1`, or `CI` set, as in .ci/run) it throws instead, so a machine
 * that should have everything cannot turn a test off unseen. A strict run that knowingly lacks
 * something names it in `VIGIL_TEST_MAY_SKIP` (comma-separated), e.g. the fresh-machine run,
 * which hides the system's ffmpeg on purpose (`VIGIL_TEST_MAY_SKIP=system-ffmpeg`).
 *
 * Use it at the top of a test file, around the describe: `describe.skipIf(requireOrSkip(...))`.
 */
export type Requirement = 'gstreamer-rtsp' | 'system-ffmpeg' | 'npm-ffmpeg' | 'postgres' | 'postgres-binaries';

function truthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** Whether missing requirements fail instead of skipping. */
export function strictTests(env: NodeJS.ProcessEnv = process.env): boolean {
  return truthy(env['VIGIL_TEST_STRICT']) || truthy(env['CI']);
}

function maySkip(name: Requirement, env: NodeJS.ProcessEnv): boolean {
  return (env['VIGIL_TEST_MAY_SKIP'] ?? '').split(',').map((s) => s.trim()).includes(name);
}

/**
 * `missing` is why the requirement is not met (undefined when it is). Returns whether to skip;
 * throws in strict mode unless `VIGIL_TEST_MAY_SKIP` names the requirement.
 */
export function requireOrSkip(name: Requirement, what: string, missing: string | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (missing === undefined) return false;
  const reason = `${what} needs ${name}, which is missing here: ${missing}`;
  if (strictTests(env) && !maySkip(name, env)) {
    throw new Error(`${reason}. Strict test run (VIGIL_TEST_STRICT or CI is set): install it, or name it in VIGIL_TEST_MAY_SKIP to allow the skip.`);
  }
  console.warn(`SKIPPED: ${reason}`);
  return true;
}
