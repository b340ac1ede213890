/**
 * The kinds of image an upload to `POST /api/analyze` may be: what the image preparer
 * (adapters/media/sharp-image-preparer.ts) decodes, either passing it on (JPEG, PNG, WebP) or
 * rasterising it to JPEG (GIF, AVIF, TIFF, SVG). Recognised by their first bytes, whatever the
 * part's Content-Type says, so that the client is told what is taken before a decoder sees it.
 */
export const ACCEPTED_IMAGES = 'a JPEG, PNG, WebP, GIF, AVIF, TIFF or SVG image';

const ascii = (data: Uint8Array, start: number, end: number) => String.fromCharCode(...data.subarray(start, end));
const startsWith = (data: Uint8Array, bytes: readonly number[]) => bytes.every((b, i) => data[i] === b);

/** An ISO-BMFF file whose major or compatible brands say AVIF (what sharp's HEIF loader reads). */
function isAvif(data: Uint8Array): boolean {
  if (ascii(data, 4, 8) !== 'ftyp') return false;
  const boxSize = Math.min(data.length, ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0, 256);
  const brands = [ascii(data, 8, 12)];
  for (let at = 16; at + 4 <= boxSize; at += 4) brands.push(ascii(data, at, at + 4));
  return brands.some((b) => b === 'avif' || b === 'avis');
}

/** XML that is an SVG document: it opens with markup (after a BOM and blanks) and has an <svg> element early. */
function isSvg(data: Uint8Array): boolean {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(data.subarray(0, 4096)).replace(/^\uFEFF/, '');
  return /^\s*</.test(head) && head.includes('<svg');
}

export function isAcceptedImage(data: Uint8Array): boolean {
  if (data.length < 12) return false;
  return (
    startsWith(data, [0xff, 0xd8, 0xff]) || // JPEG
    startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) || // PNG
    (ascii(data, 0, 4) === 'RIFF' && ascii(data, 8, 12) === 'WEBP') ||
    ascii(data, 0, 6) === 'GIF87a' ||
    ascii(data, 0, 6) === 'GIF89a' ||
    startsWith(data, [0x49, 0x49, 0x2a, 0x00]) || // TIFF, little-endian
    startsWith(data, [0x4d, 0x4d, 0x00, 0x2a]) || // TIFF, big-endian
    isAvif(data) ||
    isSvg(data)
  );
}
