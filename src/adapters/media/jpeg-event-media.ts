import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { clipBox, type Box } from '../../domain/geometry.ts';
import type { DetectorImage } from '../../ports/detector.ts';
import type { EventMedia, SnapshotOverlay } from '../../ports/event-media.ts';
import { eventDir } from './media-paths.ts';

const THUMBNAIL_MAX = 192;

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

/** An SVG the size of the frame: the rule's geometry in yellow, actors' boxes in red with their captions. */
export function overlaySvg(width: number, height: number, overlay: SnapshotOverlay): string {
  const stroke = Math.max(2, Math.round(width / 320));
  const font = Math.max(12, Math.round(width / 48));
  const points = (pts: readonly (readonly [number, number])[]) => pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  const parts: string[] = [];
  if (overlay.polygon) {
    parts.push(`<polygon points="${points(overlay.polygon)}" fill="rgba(255,210,0,0.18)" stroke="#ffd200" stroke-width="${stroke}"/>`);
  }
  if (overlay.line) {
    parts.push(`<polyline points="${points(overlay.line)}" fill="none" stroke="#ffd200" stroke-width="${stroke * 1.5}"/>`);
  }
  for (const { box, caption } of overlay.boxes) {
    const w = box.x2 - box.x1;
    const h = box.y2 - box.y1;
    parts.push(`<rect x="${box.x1.toFixed(1)}" y="${box.y1.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="none" stroke="#ff3030" stroke-width="${stroke}"/>`);
    const ty = Math.max(font, box.y1 - stroke);
    parts.push(
      `<text x="${box.x1.toFixed(1)}" y="${ty.toFixed(1)}" font-family="DejaVu Sans, sans-serif" font-size="${font}" fill="#ffffff" stroke="#000000" stroke-width="${Math.max(1, stroke / 2)}" paint-order="stroke">${escapeXml(caption)}</text>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** Write via a temporary file and rename, so a crash never leaves a half-written JPEG. */
async function writeAtomically(path: string, data: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

function rawInput(image: DetectorImage) {
  return sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } });
}

export class JpegEventMedia implements EventMedia {
  constructor(private readonly options: { dataDir: string; quality: number }) {}

  snapshotPath(runId: number, eventId: string): string {
    return join(eventDir(runId, eventId), 'snapshot.jpg');
  }

  thumbnailPath(runId: number, eventId: string, trackId: string): string {
    return join(eventDir(runId, eventId), `thumb-${trackId.replace(/[^a-z0-9_-]/gi, '_')}.jpg`);
  }

  async writeSnapshot(path: string, image: DetectorImage, overlay: SnapshotOverlay): Promise<void> {
    const svg = Buffer.from(overlaySvg(image.width, image.height, overlay));
    const jpeg = await rawInput(image).composite([{ input: svg, top: 0, left: 0 }]).jpeg({ quality: this.options.quality }).toBuffer();
    await writeAtomically(join(this.options.dataDir, path), jpeg);
  }

  async writeThumbnail(path: string, image: DetectorImage, box: Box): Promise<void> {
    // A little context around the actor helps recognise it.
    const margin = 0.15;
    const w = box.x2 - box.x1;
    const h = box.y2 - box.y1;
    const padded = clipBox({ x1: box.x1 - w * margin, y1: box.y1 - h * margin, x2: box.x2 + w * margin, y2: box.y2 + h * margin }, image);
    const left = Math.floor(padded.x1);
    const top = Math.floor(padded.y1);
    const width = Math.max(1, Math.min(image.width - left, Math.ceil(padded.x2) - left));
    const height = Math.max(1, Math.min(image.height - top, Math.ceil(padded.y2) - top));
    const jpeg = await rawInput(image)
      .extract({ left, top, width, height })
      .resize({ width: THUMBNAIL_MAX, height: THUMBNAIL_MAX, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: this.options.quality })
      .toBuffer();
    await writeAtomically(join(this.options.dataDir, path), jpeg);
  }
}
