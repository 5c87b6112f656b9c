// Zoom by dragging across the plot: a translucent box follows the pointer, and on release the x range is reported.
import type { Chart } from 'chart.js';

/** Wires drag-to-zoom on `canvas` (whose parent is position: relative); returns the cleanup function. */
export function dragZoom(
  canvas: HTMLCanvasElement,
  chart: Chart,
  onZoom: (from: number, to: number) => void,
): () => void {
  const box = document.createElement('div');
  box.className = 'zoom-box';
  box.hidden = true;
  canvas.parentElement?.append(box);
  let start: number | null = null;
  const clampX = (px: number) => Math.min(Math.max(px, chart.chartArea.left), chart.chartArea.right);
  const inside = (e: PointerEvent) => {
    const a = chart.chartArea;
    return e.offsetX >= a.left && e.offsetX <= a.right && e.offsetY >= a.top && e.offsetY <= a.bottom;
  };
  const draw = (x: number) => {
    const a = chart.chartArea;
    box.hidden = false;
    box.style.left = `${canvas.offsetLeft + Math.min(start ?? x, x)}px`;
    box.style.width = `${Math.abs(x - (start ?? x))}px`;
    box.style.top = `${canvas.offsetTop + a.top}px`;
    box.style.height = `${a.bottom - a.top}px`;
  };
  const cancel = () => {
    start = null;
    box.hidden = true;
  };
  const down = (e: PointerEvent) => {
    if (e.button !== 0 || !inside(e)) return;
    start = clampX(e.offsetX);
    canvas.setPointerCapture(e.pointerId);
    e.preventDefault();
  };
  const move = (e: PointerEvent) => {
    if (start !== null) draw(clampX(e.offsetX));
  };
  const up = (e: PointerEvent) => {
    if (start === null) return;
    const end = clampX(e.offsetX);
    const from = Math.min(start, end);
    const to = Math.max(start, end);
    cancel();
    // A click (or a tiny drag) is not a zoom.
    if (to - from < 4) return;
    const scale = chart.scales['x'];
    if (scale) onZoom(scale.getValueForPixel(from) ?? 0, scale.getValueForPixel(to) ?? 0);
  };
  const key = (e: KeyboardEvent) => {
    if (e.key === 'Escape') cancel();
  };
  canvas.addEventListener('pointerdown', down);
  canvas.addEventListener('pointermove', move);
  canvas.addEventListener('pointerup', up);
  canvas.addEventListener('pointercancel', cancel);
  addEventListener('keydown', key);
  return () => {
    canvas.removeEventListener('pointerdown', down);
    canvas.removeEventListener('pointermove', move);
    canvas.removeEventListener('pointerup', up);
    canvas.removeEventListener('pointercancel', cancel);
    removeEventListener('keydown', key);
    box.remove();
  };
}
