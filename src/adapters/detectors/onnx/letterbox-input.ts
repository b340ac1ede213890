import sharp from 'sharp';
import { VigilError } from '../../../domain/errors.ts';
import { letterboxTransform, type InputTransform, type Size } from '../../../domain/geometry.ts';
import type { DetectorImage } from '../../../ports/detector.ts';

/** The grey Ultralytics pads with, so the model sees borders like the ones it was trained on. */
const PAD_VALUE = 114;

export interface LetterboxedInput {
  /** NCHW float32 in [0, 1], shape [1, 3, input.height, input.width]. */
  data: Float32Array;
  /** Where the frame's pixels actually landed, for mapping boxes back with `boxToFrame`. */
  transform: InputTransform;
}

/**
 * The whole-pixel placement of a frame inside the input. `letterboxTransform` gives the exact
 * scale and a possibly fractional pad; pixels can only land on whole coordinates, so the
 * returned transform describes the rounded placement (it differs by under a pixel at most).
 */
export interface LetterboxPlacement {
  resized: Size;
  left: number;
  top: number;
  transform: InputTransform;
}

export function letterboxPlacement(frame: Size, input: Size): LetterboxPlacement {
  const ideal = letterboxTransform(frame, input);
  const resized = {
    width: Math.min(input.width, Math.max(1, Math.round(frame.width * ideal.scaleX))),
    height: Math.min(input.height, Math.max(1, Math.round(frame.height * ideal.scaleY))),
  };
  const left = Math.floor((input.width - resized.width) / 2);
  const top = Math.floor((input.height - resized.height) / 2);
  return {
    resized,
    left,
    top,
    transform: {
      scaleX: resized.width / frame.width,
      scaleY: resized.height / frame.height,
      padX: left,
      padY: top,
    },
  };
}

/** Letterbox a packed RGB frame into the model input and lay it out as normalised NCHW. */
export async function letterboxInput(image: DetectorImage, input: Size): Promise<LetterboxedInput> {
  const { width, height, rgb } = image;
  if (!(width > 0 && height > 0) || rgb.length !== width * height * 3) {
    throw new VigilError(
      'invalid_argument',
      `Detector input must be packed RGB of width x height x 3 bytes; got ${rgb.length} bytes for ${width}x${height}.`,
    );
  }
  const { resized, left, top, transform } = letterboxPlacement(image, input);

  let pixels: Buffer;
  try {
    let pipeline = sharp(rgb, { raw: { width, height, channels: 3 } });
    if (resized.width !== width || resized.height !== height) {
      // Bilinear, as the OpenCV INTER_LINEAR resize Ultralytics trains and validates with.
      pipeline = pipeline.resize(resized.width, resized.height, { fit: 'fill', kernel: 'linear' });
    }
    if (resized.width !== input.width || resized.height !== input.height) {
      pipeline = pipeline.extend({
        left,
        top,
        right: input.width - resized.width - left,
        bottom: input.height - resized.height - top,
        background: { r: PAD_VALUE, g: PAD_VALUE, b: PAD_VALUE },
      });
    }
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.width !== input.width || info.height !== input.height || info.channels !== 3) {
      const got = `${info.width}x${info.height}x${info.channels}`;
      throw new Error(`sharp produced ${got}, expected ${input.width}x${input.height}x3`);
    }
    pixels = data;
  } catch (error) {
    throw new VigilError('detector_failed', `Could not letterbox a ${width}x${height} frame: ${messageOf(error)}`, {
      cause: error,
    });
  }

  const plane = input.width * input.height;
  const data = new Float32Array(3 * plane);
  for (let p = 0, i = 0; p < plane; p++, i += 3) {
    data[p] = (pixels[i] as number) / 255;
    data[plane + p] = (pixels[i + 1] as number) / 255;
    data[2 * plane + p] = (pixels[i + 2] as number) / 255;
  }
  return { data, transform };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
