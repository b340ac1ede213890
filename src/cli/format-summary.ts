import type { AnalysisSummary } from '../services/analyze-video.service.ts';

const OUTCOME_TITLE: Record<AnalysisSummary['outcome'], string> = {
  analyzed: 'Analyzed',
  resumed: 'Resumed and finished',
  already_analyzed: 'Already analyzed (same input and settings; nothing redone)',
};

const SOURCE_TEXT: Record<AnalysisSummary['startTimeSource'], string> = {
  config: 'from config',
  file_name: 'from the file name',
  file_mtime: "from the file's modification time",
  wall_clock: 'wall clock',
};

/** The end-of-run summary a person reads. */
export function formatSummary(s: AnalysisSummary, language: 'en' | 'zh-Hant' = 'en'): string {
  const v = s.video;
  const duration = v.durationSeconds !== undefined ? `, ${v.durationSeconds.toFixed(1)} s` : ' (live)';
  const labels = Object.entries(s.detectionsByLabel)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([label, n]) => `${label} ${n}`)
    .join(', ');
  const session =
    s.outcome === 'already_analyzed'
      ? '-'
      : `${s.session.elapsedSeconds.toFixed(1)} s for ${s.session.framesProcessed} frames (${s.session.framesPerSecond.toFixed(1)} frames/s)`;
  return [
    `${OUTCOME_TITLE[s.outcome]}: ${s.input} as camera "${s.cameraId}" (run ${s.runId})`,
    `  video       ${v.codec} ${v.width}x${v.height} @ ${round(v.fps)} fps${duration}`,
    `  starts at   ${s.startTime} (${SOURCE_TEXT[s.startTimeSource]})`,
    `  sampled     ${round(s.sampleFps)} fps at ${s.frameSize.width}x${s.frameSize.height}`,
    `  frames      ${s.framesDecoded} decoded: ${s.framesDetected} detected, ${s.framesSkipped} skipped (no motion)`,
    `  detections  ${s.detections}${labels ? ` (${labels})` : ''}`,
    `  elapsed     ${session}`,
    `  tracks      ${s.tracks}`,
    ...(s.incomplete ? [`  INCOMPLETE  ${s.incomplete.message}`] : []),
    `  events      ${s.events.length}${s.incomplete ? ' (from the readable part of an incomplete file)' : ''}`,
    ...s.events.map((e) => `    - ${language === 'en' ? e.summary.en : e.summary.zhHant}  [${e.id}]`),
  ].join('\n');
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
