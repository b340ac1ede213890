import { VigilError, type ErrorCode } from '../../domain/errors.ts';
import { redactUrlCredentials } from '../../domain/redact.ts';

interface Rule {
  pattern: RegExp;
  code: ErrorCode;
  explain: (input: string) => string;
  /** Whether trying again later can help (a camera rebooting can; a wrong password cannot). */
  retryable?: boolean;
}

/** ffmpeg's own wording of common failures, mapped to what a user can act on. Order matters. */
const RULES: readonly Rule[] = [
  { pattern: /No such file or directory/i, code: 'input_not_found', explain: (i) => `${i} does not exist` },
  { pattern: /401 Unauthorized|403 Forbidden/i, code: 'input_unreachable', explain: (i) => `${i} refused access (check the credentials)` },
  { pattern: /404 Not Found/i, code: 'input_unreachable', explain: (i) => `${i} was not found on the server (HTTP 404)` },
  {
    pattern: /461 Unsupported transport/i,
    code: 'input_unreachable',
    explain: (i) => `${i} refused the RTSP transport (set the camera's rtsp_transport to udp, or tcp)`,
  },
  // Network failures before file-format ones: a dropped stream also makes the demuxer complain.
  {
    pattern: /Connection refused|Connection timed out|No route to host|Network is unreachable|Name or service not known|Temporary failure in name resolution|Failed to resolve hostname|Server returned|Connection reset|End of file|Input\/output error|I\/O error|Operation timed out/i,
    code: 'input_unreachable',
    explain: (i) => `${i} could not be reached`,
    retryable: true,
  },
  {
    pattern: /moov atom not found/i,
    code: 'input_unreadable',
    explain: (i) => `${i} is incomplete (no index: the file is truncated or still being written)`,
  },
  {
    pattern: /Invalid data found when processing input|could not find codec parameters|Invalid argument/i,
    code: 'input_unreadable',
    explain: (i) => `${i} is not a video that ffmpeg can read`,
  },
  { pattern: /Permission denied/i, code: 'input_unreadable', explain: (i) => `${i} cannot be read (permission denied)` },
];

/**
 * Last lines of ffmpeg's stderr, with credentials removed, to show as the reason (in the CLI and
 * as a live camera's last error in the UI): without the memory addresses in component tags
 * (`[tcp @ 0x55c7a46b2140]` becomes `[tcp]`) and the timeout option Vigil added to the URL.
 */
export function stderrTail(stderr: string, lines = 3): string {
  return redactUrlCredentials(
    stderr
      .split('\n')
      .map((l) => l.trim().replace(/^\[([^\]@]+?) @ 0x[0-9a-f]+\]/i, '[$1]').replace(/\?timeout=\d+/g, ''))
      .filter(Boolean)
      .slice(-lines)
      .join(' | '),
  );
}

/** How the process ended, when known: a crash is told apart from ffmpeg refusing the input. */
export interface FfmpegExit {
  signal: NodeJS.Signals | null;
  tool: 'ffmpeg' | 'ffprobe';
  origin: 'system' | 'npm';
}

/** Signals of a crash; SIGKILL and SIGTERM are Vigil's own timeouts and stops. */
const CRASH_SIGNALS = new Set<string>(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT', 'SIGSYS']);

function crashFailure(exit: FfmpegExit, shown: string, what: 'probe' | 'decode', reason: string): VigilError {
  const verb = what === 'probe' ? 'reading' : 'decoding';
  const tail = reason ? ` (ffmpeg: ${reason})` : '';
  if (exit.origin === 'npm') {
    return new VigilError(
      'decode_failed',
      `the ${exit.tool} that npm installed (a static build from @ffmpeg-installer/@ffprobe-installer) crashed (${exit.signal}) ${verb} ${shown}${tail}. ` +
        "It cannot read this input on this machine: install the system's ffmpeg (e.g. `apt-get install ffmpeg`); Vigil uses an ffmpeg and ffprobe found on PATH before the npm copies.",
    );
  }
  return new VigilError('decode_failed', `${exit.tool} crashed (${exit.signal}) ${verb} ${shown}${tail}`);
}

/** Turn a failed ffmpeg/ffprobe run into one clear VigilError. */
export function ffmpegFailure(stderr: string, input: string, what: 'probe' | 'decode', exit?: FfmpegExit): VigilError {
  const shown = redactUrlCredentials(input);
  const reason = stderrTail(stderr);
  if (exit?.signal && CRASH_SIGNALS.has(exit.signal)) return crashFailure(exit, shown, what, reason);
  const rule = RULES.find((r) => r.pattern.test(stderr));
  if (rule) {
    return new VigilError(rule.code, `${rule.explain(shown)}${reason ? ` (ffmpeg: ${reason})` : ''}`, {
      retryable: rule.retryable ?? false,
    });
  }
  const verb = what === 'probe' ? 'read' : 'decode';
  return new VigilError('decode_failed', `ffmpeg could not ${verb} ${shown}${reason ? `: ${reason}` : ''}`);
}
