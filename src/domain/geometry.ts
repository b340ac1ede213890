/** Axis-aligned box in pixel coordinates: (x1, y1) top-left, (x2, y2) bottom-right. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Size {
  width: number;
  height: number;
}

export function boxArea(b: Box): number {
  return Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
}

export function intersectionOverUnion(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const iy = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = ix * iy;
  if (inter === 0) return 0;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

export function clipBox(b: Box, size: Size): Box {
  const clamp = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  return {
    x1: clamp(b.x1, size.width),
    y1: clamp(b.y1, size.height),
    x2: clamp(b.x2, size.width),
    y2: clamp(b.y2, size.height),
  };
}

/**
 * How a frame was placed into a detector's fixed input: scaled by (scaleX, scaleY) and then
 * shifted by (padX, padY). A plain stretch has no padding; a letterbox keeps one scale and pads.
 */
export interface InputTransform {
  scaleX: number;
  scaleY: number;
  padX: number;
  padY: number;
}

/** Stretch a frame to fill the model input (what CenterNet was measured with). */
export function stretchTransform(frame: Size, input: Size): InputTransform {
  return { scaleX: input.width / frame.width, scaleY: input.height / frame.height, padX: 0, padY: 0 };
}

/** Keep the aspect ratio and pad evenly (what YOLO models are trained with). */
export function letterboxTransform(frame: Size, input: Size): InputTransform {
  const scale = Math.min(input.width / frame.width, input.height / frame.height);
  const padX = (input.width - frame.width * scale) / 2;
  const padY = (input.height - frame.height * scale) / 2;
  return { scaleX: scale, scaleY: scale, padX, padY };
}

/** Map a box from model-input space back to frame pixels, clipped to the frame. */
export function boxToFrame(b: Box, t: InputTransform, frame: Size): Box {
  return clipBox(
    {
      x1: (b.x1 - t.padX) / t.scaleX,
      y1: (b.y1 - t.padY) / t.scaleY,
      x2: (b.x2 - t.padX) / t.scaleX,
      y2: (b.y2 - t.padY) / t.scaleY,
    },
    frame,
  );
}

/** Frame size after scaling to `targetWidth`, keeping the aspect ratio, with an even height (yuv/encoders like it). */
export function scaledFrameSize(source: Size, targetWidth: number): Size {
  const width = Math.max(2, Math.round(targetWidth / 2) * 2);
  const height = Math.max(2, Math.round((source.height * width) / source.width / 2) * 2);
  return { width, height };
}
