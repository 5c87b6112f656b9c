// Saving figures and files from the page: a download link for text, bytes or a data URL, and SVG rasterised to PNG.
import type { Svg } from './svg.ts';

/** Saves `url` (a data: URL) as `name` through a temporary download link. */
export function downloadUrl(name: string, url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

/** Text as a data: URL (UTF-8). */
export function textUrl(text: string, mime: string): string {
  const bytes = new TextEncoder().encode(text);
  return `data:${mime};charset=utf-8;base64,${bytesToBase64(bytes)}`;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export const downloadText = (name: string, text: string, mime: string) =>
  downloadUrl(name, textUrl(text, mime));

export const downloadBase64 = (name: string, base64: string, mime = 'application/octet-stream') =>
  downloadUrl(name, `data:${mime};base64,${base64}`);

/** The pixel ratio of saved PNGs: the screen's, at least 2 (print quality for a figure of ~600 CSS pixels). */
export const pngScale = (): number => Math.max(2, Math.ceil(globalThis.devicePixelRatio || 1));

/** An SVG figure drawn on a canvas at `scale` device pixels per CSS pixel, as a PNG data URL. */
export async function svgToPng(svg: Svg, scale = pngScale()): Promise<string> {
  const img = new Image();
  img.width = svg.width;
  img.height = svg.height;
  await new Promise<void>((resolve, reject) => {
    img.onload = () => resolve();
    img.onerror = () => reject(new Error('the figure could not be drawn as an image'));
    img.src = textUrl(svg.svg, 'image/svg+xml');
  });
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(svg.width * scale);
  canvas.height = Math.round(svg.height * scale);
  const ctx = canvas.getContext('2d')!;
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0, svg.width, svg.height);
  return canvas.toDataURL('image/png');
}

/** File-name-safe slug of a title. */
export function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'figure'
  );
}
