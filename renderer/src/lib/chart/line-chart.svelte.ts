// Chart.js used directly as a Svelte attachment: created once per canvas, updated in place when its spec changes.
import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import type { Attachment } from 'svelte/attachments';
import { dragZoom } from './drag-zoom.ts';
import type { XY } from './xy.ts';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip);

export interface ChartLine {
  label: string;
  color: string;
  data: XY[];
  /** A reference line (the task's baseline): dashed, and not counted as a curve. */
  reference?: boolean;
}

export interface ChartSpec {
  lines: ChartLine[];
  logY: boolean;
  xTitle: string;
  yTitle: string;
  /** Chart.js's own legend (one chart, few curves); a panel of many runs draws one shared legend instead. */
  legend: boolean;
}

const fmt = (v: number) =>
  Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : `${+v.toPrecision(4)}`;

const isNice = (v: number) => {
  const m = v / 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5].some((k) => Math.abs(m - k) < 1e-6);
};

/** Log axes get a tick per minor step: label 1, 2, 5 × 10^k when there are some, else every few ticks. */
function logTick(v: number, i: number, ticks: { value: number }[]): string {
  if (ticks.length <= 8) return fmt(v);
  if (ticks.filter((t) => isNice(t.value)).length >= 2) return isNice(v) ? fmt(v) : '';
  return i % Math.ceil(ticks.length / 6) === 0 ? fmt(v) : '';
}

function datasets(spec: ChartSpec): ChartDataset<'line', XY[]>[] {
  return spec.lines.map((l) => ({
    label: l.label,
    data: l.data,
    borderColor: l.color,
    backgroundColor: l.color,
    borderWidth: l.reference ? 1 : 1.5,
    borderDash: l.reference ? [6, 4] : [],
    // Sparse curves (a few evaluations so far) show their points; dense ones are lines only.
    pointRadius: !l.reference && l.data.length < 30 ? 2 : 0,
    pointHoverRadius: 3,
    spanGaps: false,
    normalized: true,
  }));
}

/**
 * The chart on `canvas` drawn again at `ratio` device pixels per CSS pixel (≥ 2 for print), as a PNG data URL; the
 * chart then returns to the screen's ratio.
 */
export function chartPng(canvas: HTMLCanvasElement, ratio: number): string {
  const chart = Chart.getChart(canvas);
  if (!chart) throw new Error('no chart on this canvas');
  const before = chart.options.devicePixelRatio;
  chart.options.devicePixelRatio = ratio;
  chart.resize();
  // A white background: a transparent PNG shows black in many viewers.
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(canvas, 0, 0);
  chart.options.devicePixelRatio = before;
  chart.resize();
  return out.toDataURL('image/png');
}

/**
 * The canvas gets `data-curves` (curves drawn), `data-points` (their points), `data-counts` (per curve), `data-x-title`, `data-log-y` and `data-drawn-at`
 * (performance.now() of the last draw) after every update, for tests and the compare-open benchmark.
 */
export function lineChart(
  spec: () => ChartSpec,
  onZoom: (from: number, to: number) => void,
): Attachment<HTMLCanvasElement> {
  return (canvas) => {
    const chart = new Chart<'line', XY[]>(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: '' }, ticks: { maxTicksLimit: 8 } },
          y: {
            type: 'linear',
            title: { display: true, text: '' },
            ticks: { callback: (v) => fmt(Number(v)) },
          },
        },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 14, boxHeight: 2 } },
          tooltip: {
            callbacks: {
              label: (c) => `${c.dataset.label ?? ''}: ${c.parsed.y === null ? '—' : fmt(c.parsed.y)}`,
            },
          },
        },
      },
    });
    const stopZoom = dragZoom(canvas, chart, onZoom);
    $effect(() => {
      const s = spec();
      chart.data.datasets = datasets(s);
      chart.options.plugins!.legend!.display = s.legend;
      const scales = chart.options.scales!;
      scales['x']!.title = { display: true, text: s.xTitle };
      scales['y'] = s.logY
        ? {
            type: 'logarithmic',
            title: { display: true, text: s.yTitle },
            ticks: { callback: (v, i, t) => logTick(Number(v), i, t) },
          }
        : {
            type: 'linear',
            title: { display: true, text: s.yTitle },
            ticks: { callback: (v) => fmt(Number(v)) },
          };
      chart.update('none');
      const curves = s.lines.filter((l) => !l.reference);
      canvas.dataset['curves'] = String(curves.length);
      canvas.dataset['points'] = String(curves.reduce((n, l) => n + l.data.length, 0));
      canvas.dataset['counts'] = curves.map((l) => l.data.length).join(',');
      canvas.dataset['xTitle'] = s.xTitle;
      canvas.dataset['logY'] = String(s.logY);
      canvas.dataset['drawnAt'] = String(performance.now());
    });
    return () => {
      stopZoom();
      chart.destroy();
    };
  };
}
