import { VigilError } from '../domain/errors.ts';
import { redactUrlCredentials } from '../domain/redact.ts';
import type { RunClaim } from '../ports/analysis-store.ts';
import type { InputShortfall } from '../ports/video-input.ts';

// What an analysis tells its user when it cannot do, or could not fully do, what was asked.

function fileName(uri: string): string {
  return uri.split(/[\\/]/).pop() ?? uri;
}

/** "cut.avi ends early: decoded 29.4 s of 79.5 s declared; ..." */
export function shortfallMessage(uri: string, s: InputShortfall): string {
  const decoded = `decoded ${s.decodedSeconds.toFixed(1)} s of ${s.declaredSeconds.toFixed(1)} s declared`;
  const why = s.decoderMessage ? `; ffmpeg: ${s.decoderMessage}` : '';
  return (
    `${fileName(uri)} ends early: ${decoded}; the file is truncated or damaged${why}. ` +
    'The events found in the readable part were kept and are marked as from an incomplete file.'
  );
}

function secondsAgo(ms: number): string {
  return Number.isFinite(ms) ? `${Math.round(ms / 1000)} s ago` : 'not yet';
}

/** Another process is analysing the same input with the same settings right now. */
export function busyError(claim: Extract<RunClaim, { kind: 'busy' }>, input: string, cameraId: string): VigilError {
  const who = claim.owner ? `process ${claim.owner.pid} on ${claim.owner.host}` : 'another process';
  const progress = claim.run.lastFrameIndex >= 0 ? `, ${claim.run.lastFrameIndex + 1} frames stored` : '';
  return new VigilError(
    'busy',
    `${redactUrlCredentials(input)} is being analysed as camera "${cameraId}" with the same settings by ${who} right now ` +
      `(run ${claim.run.id}${progress}, last heard from ${secondsAgo(claim.heartbeatAgeMs)}).`,
    {
      details: [
        'Wait for it to finish: running this command again then finds the analysis done and prints its summary.',
        'If that process is stuck, stop it (Ctrl-C, or kill it): the next analysis resumes its run where it stopped.',
      ],
    },
  );
}
