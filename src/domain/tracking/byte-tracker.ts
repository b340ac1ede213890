import type { Detection } from '../detection.ts';
import { VigilError } from '../errors.ts';
import { intersectionOverUnion, type Box } from '../geometry.ts';
import { CLASS_FAMILIES, FAMILY_ID_PREFIX, classFamily } from './class-family.ts';
import { DEFAULT_VELOCITY_WEIGHT, KalmanBox, type KalmanSnapshot } from './kalman-box.ts';
import { linearAssignment } from './linear-assignment.ts';
import type { ClassFamily, FinishedTrack, TrackedObject, TrackerInput, TrackerOutput } from './tracking-types.ts';

/**
 * ByteTrack (Zhang et al., 2022) over the detector's output, one class family at a time.
 *
 * Per update and family:
 *  1. predict every track one step (Kalman, constant velocity; lost tracks stop growing);
 *  2. split detections into high (>= highScoreFor(label)) and low (>= lowScore); drop the rest;
 *  3. stage 1: confirmed tracks, active and lost, against high detections (1 - IoU, >= matchIou);
 *  4. stage 2: confirmed active tracks still unmatched against low detections (>= lowMatchIou):
 *     a partly hidden person keeps its track through the weak detections of the occlusion (lost
 *     tracks too, with `observationCentric`, below);
 *  5. stage 3: tentative tracks against the high detections left over (ByteTrack's "unconfirmed"
 *     step), so a blip never takes a detection from an established track;
 *  6. unmatched tentative tracks are dropped, unmatched active ones become lost, and lost ones
 *     missing for more than lostFrames updates finish;
 *  7. high detections still unmatched and at least newTrackMargin above the high score start
 *     tentative tracks, confirmed after minHits consecutive matches.
 *
 * With `weakMayFitBetter`, stage 1 leaves a track without a high detection that fits it poorly
 * (below lowMatchIou) when a weak detection of another object fits it clearly better: the track
 * takes the weak one in stage 2, and the high one may start a track of its own. Two people
 * passing close, the tracked one half hidden (scored low) where the track was and the other fully
 * seen beside it: plain ByteTrack gives the track to the one fully seen, and the hidden person
 * comes back under a new id (the street clip's couple on the lawn: one stay of 23 s read as 12).
 *
 * With `observationCentric` (after OC-SORT, Cao et al., 2023), a lost track is also compared by
 * the box where it was last observed, not only by the filter's prediction: where a detection
 * overlaps that box by at least lowMatchIou, the better of the two overlaps counts, in stages 1
 * and 2 (so weak detections may re-find a lost track too). A looser overlap with a stale box
 * would let a passer-by take the track of someone who left; this one is measured side by side
 * with plain ByteTrack by `npm run bench:tracker`.
 * The filter carries a lost track on at its last speed: a person who stopped while hidden, or
 * who was missed for a moment just as they stopped beside someone, is looked for in the wrong
 * place, and the neighbour's track, predicted well, takes their detection (two people standing
 * together become one track). And a track matched again after missing updates is re-updated
 * (OC-SORT's ORU): the filter goes back to its state at the last observation and runs through
 * boxes on the straight line from there to the new one, one per missed update, instead of
 * keeping the velocity it drifted to while unobserved.
 *
 * Ids are handed out at confirmation, so tentative noise leaves no gaps (p1, p2, ...); within one
 * update, in detection index order. Everything runs in a fixed order over arrays: the same inputs
 * always give the same outputs, which is what makes a recorded run replayable.
 */
export interface ByteTrackerOptions {
  /** Score at/above which a detection of this label is "high" (first association stage). */
  highScoreFor: (label: string) => number;
  /** Detections below this are ignored entirely. */
  lowScore: number;
  /** New tracks start only from detections at/above highScoreFor(label) + newTrackMargin. */
  newTrackMargin: number;
  /** Stage 1 (and tentative) minimum IoU between predicted and detected box. */
  matchIou: number;
  /** Stage 2 minimum IoU: weak detections must line up well to extend a track. */
  lowMatchIou: number;
  /** Tracker updates a lost track is kept before it finishes. */
  lostFrames: number;
  /** Matches before a new track is confirmed and reported. */
  minHits: number;
  /** OC-SORT's observation-centric re-update and recovery (see above); false is plain ByteTrack. */
  observationCentric: boolean;
  /** The Kalman filter's velocity noise as a share of the box height (kalman-box.ts says why 1/120). */
  velocityWeight: number;
  /**
   * In stage 1, a track does not take a high detection when a weak one of another object fits it
   * clearly better (see `WEAK_FITS_BETTER_BY`): it takes the weak one in stage 2. False is plain ByteTrack.
   */
  weakMayFitBetter: boolean;
}

/** What suits the bundled CenterNet, which scores people and vehicles between 0.4 and 0.7. */
export const DEFAULT_BYTE_TRACKER_OPTIONS: Readonly<ByteTrackerOptions> = {
  highScoreFor: () => 0.4,
  lowScore: 0.25,
  newTrackMargin: 0.05,
  matchIou: 0.2,
  lowMatchIou: 0.5,
  lostFrames: 15,
  minHits: 2,
  observationCentric: true,
  velocityWeight: DEFAULT_VELOCITY_WEIGHT,
  weakMayFitBetter: true,
};

/** With `weakMayFitBetter`: how much more a weak detection must overlap a track than a high one. */
export const WEAK_FITS_BETTER_BY = 0.15;
/** A weak detection overlapping the high one this much is the same object seen twice, not a rival. */
const SAME_OBJECT_IOU = 0.5;

type TrackState = 'tentative' | 'active' | 'lost';

interface Track {
  readonly family: ClassFamily;
  readonly kalman: KalmanBox;
  /** The filter's box for the current update, after predict. */
  predicted: Box;
  /** The filter's state right after the last matched update (for the re-update after a gap). */
  readonly observed: KalmanSnapshot;
  state: TrackState;
  /** Counter part of the id; 0 while tentative. */
  idNumber: number;
  trackId: string;
  hits: number;
  /** Consecutive updates without a match. */
  missed: number;
  /** Per label: how many matches, and the update of the latest one (for ties). */
  readonly labelVotes: Map<string, { count: number; lastUpdate: number }>;
  label: string;
  readonly firstSeenMs: number;
  readonly firstFrameIndex: number;
  lastSeenMs: number;
  lastFrameIndex: number;
  lastBox: Box;
}

interface Candidate {
  index: number;
  detection: Detection;
}

interface Match {
  track: Track;
  candidate: Candidate;
}

export class ByteTracker {
  private readonly options: ByteTrackerOptions;
  private readonly tracks = new Map<ClassFamily, Track[]>(CLASS_FAMILIES.map((f) => [f, []]));
  private readonly lastIdNumber = new Map<ClassFamily, number>(CLASS_FAMILIES.map((f) => [f, 0]));
  private updates = 0;
  private lastFrameIndex = Number.NEGATIVE_INFINITY;

  constructor(options: ByteTrackerOptions) {
    validateOptions(options);
    this.options = { ...options };
  }

  update(input: TrackerInput): TrackerOutput {
    if (!(input.frameIndex > this.lastFrameIndex)) {
      throw new VigilError(
        'invalid_argument',
        `ByteTracker: frame ${input.frameIndex} is not after the previous frame ${this.lastFrameIndex}`,
      );
    }
    this.lastFrameIndex = input.frameIndex;
    this.updates++;

    const byFamily = new Map<ClassFamily, Candidate[]>();
    input.detections.forEach((detection, index) => {
      const family = classFamily(detection.label);
      const list = byFamily.get(family);
      if (list) list.push({ index, detection });
      else byFamily.set(family, [{ index, detection }]);
    });

    const output: TrackerOutput = { frameIndex: input.frameIndex, timestampMs: input.timestampMs, tracked: [], lost: [], finished: [] };
    for (const family of CLASS_FAMILIES) {
      const candidates = byFamily.get(family) ?? [];
      if (candidates.length === 0 && this.familyTracks(family).length === 0) continue;
      this.updateFamily(family, candidates, input, output);
    }
    return output;
  }

  /** End of stream: every confirmed track finishes now. The tracker may go on with later frames. */
  finishAll(timestampMs: number, frameIndex: number): FinishedTrack[] {
    if (frameIndex < this.lastFrameIndex) {
      throw new VigilError(
        'invalid_argument',
        `ByteTracker: cannot finish at frame ${frameIndex} (${timestampMs} ms), before the last update ${this.lastFrameIndex}`,
      );
    }
    const finished: FinishedTrack[] = [];
    for (const family of CLASS_FAMILIES) {
      const confirmed = this.familyTracks(family).filter((t) => t.state !== 'tentative');
      finished.push(...confirmed.sort(byIdNumber).map(toFinished));
      this.tracks.set(family, []);
    }
    return finished;
  }

  private familyTracks(family: ClassFamily): Track[] {
    return this.tracks.get(family) as Track[];
  }

  private updateFamily(family: ClassFamily, candidates: Candidate[], input: TrackerInput, output: TrackerOutput): void {
    const o = this.options;
    const tracks = this.familyTracks(family);
    for (const track of tracks) {
      track.kalman.predict(track.state === 'lost');
      track.predicted = track.kalman.box();
    }

    const high: Candidate[] = [];
    const low: Candidate[] = [];
    for (const c of candidates) {
      const score = c.detection.score;
      if (!(score >= o.lowScore)) continue;
      if (score >= o.highScoreFor(c.detection.label)) high.push(c);
      else low.push(c);
    }

    const lastSeenToo = o.observationCentric;
    /** `rivals`: weak detections that keep a track from a high one they fit clearly better (stage 1). */
    const associate = (rows: Track[], cols: Candidate[], minIou: number, rivals: readonly Candidate[] = []) => {
      const values = new Float64Array(rows.length * cols.length);
      const boxes = cols.map((c) => c.detection.box);
      for (let r = 0; r < rows.length; r++) {
        const track = rows[r] as Track;
        const byLastSeen = lastSeenToo && track.state === 'lost';
        const rivalFits = rivals.map((c) => ({ box: c.detection.box, overlap: intersectionOverUnion(track.predicted, c.detection.box) })).filter((x) => x.overlap >= o.lowMatchIou);
        for (let j = 0; j < boxes.length; j++) {
          const box = boxes[j] as Box;
          const overlap = intersectionOverUnion(track.predicted, box);
          const lastSeen = byLastSeen ? intersectionOverUnion(track.lastBox, box) : 0;
          const fit = lastSeen >= o.lowMatchIou ? Math.max(overlap, lastSeen) : overlap;
          const outfitted = fit < o.lowMatchIou && rivalFits.some((x) => x.overlap >= fit + WEAK_FITS_BETTER_BY && intersectionOverUnion(x.box, box) < SAME_OBJECT_IOU);
          values[r * boxes.length + j] = outfitted ? 1 : 1 - fit;
        }
      }
      const { matches, unmatchedRows, unmatchedCols } = linearAssignment(
        { rows: rows.length, cols: cols.length, values },
        1 - minIou,
      );
      return {
        matched: matches.map(([r, c]): Match => ({ track: rows[r] as Track, candidate: cols[c] as Candidate })),
        tracksLeft: unmatchedRows.map((r) => rows[r] as Track),
        candidatesLeft: unmatchedCols.map((c) => cols[c] as Candidate),
      };
    };

    const stage1 = associate(tracks.filter((t) => t.state !== 'tentative'), high, o.matchIou, o.weakMayFitBetter ? low : []);
    const stage2 = associate(lastSeenToo ? stage1.tracksLeft : stage1.tracksLeft.filter((t) => t.state === 'active'), low, o.lowMatchIou);
    const stage3 = associate(tracks.filter((t) => t.state === 'tentative'), stage1.candidatesLeft, o.matchIou);

    const matchedTracks = new Set<Track>();
    const confirmations: Match[] = [];
    for (const m of [...stage1.matched, ...stage2.matched, ...stage3.matched]) {
      this.applyMatch(m, input);
      matchedTracks.add(m.track);
      if (m.track.state === 'tentative' && m.track.hits >= o.minHits) confirmations.push(m);
    }

    const finished: Track[] = [];
    const kept: Track[] = [];
    for (const track of tracks) {
      if (!matchedTracks.has(track)) {
        if (track.state === 'tentative') continue;
        track.state = 'lost';
        track.missed++;
        if (track.missed > o.lostFrames) {
          finished.push(track);
          continue;
        }
      }
      kept.push(track);
    }

    for (const c of stage3.candidatesLeft) {
      if (c.detection.score < o.highScoreFor(c.detection.label) + o.newTrackMargin) continue;
      const track = newTrack(family, c.detection, input, this.updates, o.velocityWeight);
      kept.push(track);
      if (track.hits >= o.minHits) confirmations.push({ track, candidate: c });
    }

    confirmations.sort((a, b) => a.candidate.index - b.candidate.index);
    for (const { track } of confirmations) {
      const idNumber = (this.lastIdNumber.get(family) as number) + 1;
      this.lastIdNumber.set(family, idNumber);
      track.idNumber = idNumber;
      track.trackId = `${FAMILY_ID_PREFIX[family]}${idNumber}`;
      track.state = 'active';
    }
    this.tracks.set(family, kept);

    const reported = [...stage1.matched, ...stage2.matched, ...confirmations]
      .filter((m) => m.track.state === 'active')
      .sort((a, b) => a.track.idNumber - b.track.idNumber);
    for (const { track, candidate } of reported) output.tracked.push(toTracked(track, candidate));
    output.lost.push(...kept.filter((t) => t.state === 'lost').sort(byIdNumber).map((t) => t.trackId));
    output.finished.push(...finished.sort(byIdNumber).map(toFinished));
  }

  private applyMatch({ track, candidate }: Match, input: TrackerInput): void {
    const { detection } = candidate;
    if (this.options.observationCentric && track.missed > 0) track.kalman.reUpdate(track.observed, track.lastBox, detection.box, track.missed);
    else track.kalman.update(detection.box);
    track.kalman.snapshot(track.observed);
    track.hits++;
    track.missed = 0;
    if (track.state === 'lost') track.state = 'active';
    track.lastSeenMs = input.timestampMs;
    track.lastFrameIndex = input.frameIndex;
    track.lastBox = detection.box;
    voteLabel(track, detection.label, this.updates);
  }
}

function newTrack(family: ClassFamily, detection: Detection, input: TrackerInput, update: number, velocityWeight: number): Track {
  const kalman = new KalmanBox(detection.box, velocityWeight);
  const track: Track = {
    family,
    kalman,
    predicted: detection.box,
    observed: kalman.snapshot(),
    state: 'tentative',
    idNumber: 0,
    trackId: '',
    hits: 1,
    missed: 0,
    labelVotes: new Map(),
    label: detection.label,
    firstSeenMs: input.timestampMs,
    firstFrameIndex: input.frameIndex,
    lastSeenMs: input.timestampMs,
    lastFrameIndex: input.frameIndex,
    lastBox: detection.box,
  };
  voteLabel(track, detection.label, update);
  return track;
}

/** The most frequent label wins; on a tie, the one seen most recently (one label per update, so no further tie). */
function voteLabel(track: Track, label: string, update: number): void {
  const vote = track.labelVotes.get(label);
  if (vote) {
    vote.count++;
    vote.lastUpdate = update;
  } else {
    track.labelVotes.set(label, { count: 1, lastUpdate: update });
  }
  let best: { label: string; count: number; lastUpdate: number } | undefined;
  for (const [l, v] of track.labelVotes) {
    if (!best || v.count > best.count || (v.count === best.count && v.lastUpdate > best.lastUpdate)) {
      best = { label: l, ...v };
    }
  }
  track.label = (best as { label: string }).label;
}

function byIdNumber(a: Track, b: Track): number {
  return a.idNumber - b.idNumber;
}

function toTracked(track: Track, { index, detection }: Candidate): TrackedObject {
  return {
    trackId: track.trackId,
    label: track.label,
    family: track.family,
    box: detection.box,
    score: detection.score,
    detectionIndex: index,
    hits: track.hits,
    firstSeenMs: track.firstSeenMs,
    firstFrameIndex: track.firstFrameIndex,
  };
}

function toFinished(track: Track): FinishedTrack {
  return {
    trackId: track.trackId,
    label: track.label,
    family: track.family,
    lastSeenMs: track.lastSeenMs,
    lastFrameIndex: track.lastFrameIndex,
    lastBox: track.lastBox,
  };
}

function validateOptions(o: ByteTrackerOptions): void {
  const problems: string[] = [];
  const fraction = (name: string, v: number, allowZero: boolean) => {
    if (!(v <= 1 && (allowZero ? v >= 0 : v > 0))) problems.push(`${name} must be in ${allowZero ? '[0, 1]' : '(0, 1]'}, got ${v}`);
  };
  fraction('lowScore', o.lowScore, true);
  fraction('matchIou', o.matchIou, false);
  fraction('lowMatchIou', o.lowMatchIou, false);
  if (!(o.newTrackMargin >= 0)) problems.push(`newTrackMargin must be >= 0, got ${o.newTrackMargin}`);
  if (!(Number.isInteger(o.lostFrames) && o.lostFrames >= 0)) problems.push(`lostFrames must be an integer >= 0, got ${o.lostFrames}`);
  if (!(Number.isInteger(o.minHits) && o.minHits >= 1)) problems.push(`minHits must be an integer >= 1, got ${o.minHits}`);
  if (!(o.velocityWeight > 0)) problems.push(`velocityWeight must be > 0, got ${o.velocityWeight}`);
  if (problems.length > 0) {
    throw new VigilError('invalid_argument', 'ByteTracker: invalid options', { details: problems });
  }
}
