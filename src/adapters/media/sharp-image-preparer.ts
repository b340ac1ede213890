import sharp from 'sharp';
import { VigilError } from '../../domain/errors.ts';
import type { ImagePreparer } from '../../ports/image-preparer.ts';
import type { LlmImage } from '../../ports/llm-provider.ts';

const PASS_THROUGH: Record<string, LlmImage['mimeType']> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/**
 * A vision model gets a bounded image without metadata. An image that already is one (a JPEG,
 * PNG or WebP within the size, upright, with no EXIF/XMP/IPTC that could carry a location) is
 * sent as it is; anything else is decoded, turned upright, fitted and re-encoded as JPEG.
 */
export class SharpImagePreparer implements ImagePreparer {
  async prepare(image: { data: Uint8Array }, maxSize: number): Promise<LlmImage> {
    try {
      const meta = await sharp(image.data, { limitInputPixels: 100_000_000 }).metadata();
      const mimeType = meta.format ? PASS_THROUGH[meta.format] : undefined;
      const fits = (meta.width ?? Infinity) <= maxSize && (meta.height ?? Infinity) <= maxSize;
      const clean = !meta.exif && !meta.xmp && !meta.iptc && (meta.orientation === undefined || meta.orientation === 1);
      if (mimeType && fits && clean && (meta.pages ?? 1) === 1) return { data: image.data, mimeType };
      const data = await sharp(image.data, { limitInputPixels: 100_000_000 })
        .rotate()
        .resize({ width: maxSize, height: maxSize, fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 85 })
        .toBuffer();
      return { data: new Uint8Array(data), mimeType: 'image/jpeg' };
    } catch (cause) {
      throw new VigilError('invalid_argument', 'The image could not be decoded (expected a JPEG, PNG or WebP picture)', { cause });
    }
  }
}
