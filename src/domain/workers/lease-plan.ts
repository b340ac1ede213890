/** A lease as the plan sees it. */
export interface LeaseView {
  cameraId: string;
  holder: string;
  expiresAt: number;
}

export interface LeasePlanInput {
  /** This worker. */
  me: string;
  /** Every live camera of the configuration. */
  cameras: readonly string[];
  /** Workers alive now that run cameras (this one included). */
  workers: readonly string[];
  leases: readonly LeaseView[];
  nowMs: number;
}

export interface LeasePlan {
  /** Free or expired cameras this worker should try to take, best first. */
  take: string[];
  /** Cameras this worker holds beyond its share while another worker has room: give them up. */
  giveUp: string[];
  /** How many cameras each worker should hold at most. */
  share: number;
}

/**
 * Which cameras this worker should take or give up so that the cameras end up spread evenly,
 * each held by one worker. Pure: every worker computes it from what the database says, and the
 * database's leases decide any race (two workers may both try a free camera; one gets it).
 *
 * Each worker prefers cameras by rendezvous hashing of (camera, worker), so that workers starting
 * together reach for different cameras instead of all taking the first ones. A lease that has not
 * expired is never taken, even from a worker that looks dead: waiting out `ttl` is what makes a
 * camera never analysed twice at once.
 */
export function planLeases(input: LeasePlanInput): LeasePlan {
  const { me, cameras, nowMs } = input;
  const workers = new Set([...input.workers, me]);
  const share = cameras.length === 0 ? 0 : Math.ceil(cameras.length / workers.size);
  const live = new Map<string, string>();
  for (const lease of input.leases) if (lease.expiresAt > nowMs && cameras.includes(lease.cameraId)) live.set(lease.cameraId, lease.holder);
  const held = cameras.filter((c) => live.get(c) === me).sort((a, b) => preference(a, me) - preference(b, me));
  const counts = new Map<string, number>();
  for (const holder of live.values()) counts.set(holder, (counts.get(holder) ?? 0) + 1);

  const room = Math.max(0, share - held.length);
  const take = cameras
    .filter((c) => !live.has(c))
    .sort((a, b) => preference(a, me) - preference(b, me))
    .slice(0, room);

  // Giving up only helps when a live worker has room to take what is given up.
  const someoneHasRoom = [...workers].some((w) => w !== me && (counts.get(w) ?? 0) < share);
  const giveUp = someoneHasRoom && held.length > share ? held.slice(share) : [];
  return { take, giveUp, share };
}

/** A stable pseudo-random rank of a camera for a worker (lower is preferred): 32-bit FNV-1a. */
function preference(cameraId: string, worker: string): number {
  let hash = 0x811c9dc5;
  for (const char of `${cameraId}\u0000${worker}`) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
