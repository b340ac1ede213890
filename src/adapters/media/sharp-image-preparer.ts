import sharp from 'sharp';
import { VigilError } from '../../domain/errors.ts';
import type { ImagePreparer } from '../../ports/image-preparer.ts';
import type { LlmImage } from '../../ports/llm-provider.ts';

/** Re-encodes every image: a vision model gets a bounded JPEG, never the uploader's raw bytes. */
export class SharpImagePreparer implements ImagePreparer {
  async prepare(image: { data: Uint8Array }, maxSize: number): Promise<LlmImage> {
    try {
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
