import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../../domain/errors.ts';
import { SharpImagePreparer } from './sharp-image-preparer.ts';

const preparer = new SharpImagePreparer();

describe('SharpImagePreparer', () => {
  it('sends a small clean JPEG as it is', async () => {
    const jpeg = new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 3, background: '#123456' } }).jpeg().toBuffer());
    const prepared = await preparer.prepare({ data: jpeg }, 1024);
    expect(prepared).toEqual({ data: jpeg, mimeType: 'image/jpeg' });
  });

  it('fits large images and strips metadata that could reveal a location', async () => {
    const big = await sharp({ create: { width: 3000, height: 1000, channels: 3, background: '#654321' } }).jpeg().toBuffer();
    const fitted = await preparer.prepare({ data: new Uint8Array(big) }, 1024);
    expect(await sharp(fitted.data).metadata()).toMatchObject({ format: 'jpeg', width: 1024, height: 341 });

    const tagged = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#654321' } })
      .jpeg()
      .withExif({ IFD0: { Artist: 'someone', ImageDescription: 'home' } })
      .toBuffer();
    expect((await sharp(tagged).metadata()).exif).toBeDefined();
    const cleaned = await preparer.prepare({ data: new Uint8Array(tagged) }, 1024);
    expect((await sharp(cleaned.data).metadata()).exif).toBeUndefined();
  });

  it('rejects what is not an image', async () => {
    await expect(preparer.prepare({ data: new Uint8Array(Buffer.from('<html>')) }, 1024)).rejects.toThrow(VigilError);
  });
});
