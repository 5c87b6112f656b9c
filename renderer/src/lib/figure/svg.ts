// A small SVG renderer of the workbench's charts (curves, scatter with the unit circle, heat maps) and their CSV.
// Pure functions without the DOM: the UI saves figures with it, and bench scripts (Node) draw their figures with it.

export interface FigurePoint {
  x: number;
  /** null (or non-finite) leaves a gap. */
  y: number | null;
}

export interface FigureLine {
  label: string;
  color: string;
  data: readonly FigurePoint[];
  /** A reference line (baseline): dashed, thin. */
  dashed?: boolean;
  /** Draw markers only (eigenvalues), no connecting line. */
  points?: boolean;
}

export interface LineFigure {
  title: string;
  xTitle: string;
  yTitle: string;
  logY: boolean;
  lines: readonly FigureLine[];
  /** A legend under the plot. */
  legend: boolean;
  /** The same scale on both axes and the unit circle drawn (eigenvalues in the complex plane). */
  unitCircle?: boolean;
  width?: number;
  height?: number;
}

export interface HeatmapFigure {
  title: string;
  xTitle: string;
  yTitle: string;
  /** Column coordinates (e.g. time steps 1..T), increasing. */
  xs: readonly number[];
  /** Row coordinates (e.g. training steps), increasing; row 0 is drawn at the bottom. */
  ys: readonly number[];
  /** values[row][col]; non-finite or (with `log`) non-positive cells are drawn grey. */
  values: readonly (readonly number[])[];
  /** Colour by log10 of the value. */
  log: boolean;
  colorbarTitle: string;
  /** The colour scale's ends (log10 units with `log`); default the values' extent. Panels compared side by side share one. */
  range?: { lo: number; hi: number };
  width?: number;
  height?: number;
}

/** An SVG document and its size in CSS pixels. */
export interface Svg {
  svg: string;
  width: number;
  height: number;
}

const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const MARGIN = { left: 64, right: 18, top: 30, bottom: 44 };

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/** A tick label: 4 significant digits, exponent form for very large or small magnitudes. */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(+v.toPrecision(4));
}

/** About `count` round ticks (1, 2, 5 × 10^k steps) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

interface Range {
  lo: number;
  hi: number;
}

function extent(values: Iterable<number>): Range | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values)
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  if (lo > hi) return null;
  if (lo === hi) return { lo: lo - (Math.abs(lo) || 1) * 0.5, hi: hi + (Math.abs(hi) || 1) * 0.5 };
  return { lo, hi };
}

/** A line chart (or scatter) with axes, ticks, titles and an optional legend, as an SVG document. */
export function lineFigureSvg(f: LineFigure): Svg {
  const width = f.width ?? 640;
  // As many legend columns as the longest label allows (about 6.5 px a character at 11 px).
  const longest = Math.max(0, ...f.lines.map((l) => l.label.length));
  const legendCols = Math.max(
    1,
    Math.min(f.lines.length, Math.floor((width - MARGIN.left) / (longest * 6.5 + 34))),
  );
  const legendRows = f.legend ? Math.ceil(f.lines.length / legendCols) : 0;
  const height = (f.height ?? 400) + legendRows * 18;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom - legendRows * 18;
  const ty = (y: number) => (f.logY ? Math.log10(y) : y);
  const usable = (p: FigurePoint): p is { x: number; y: number } =>
    p.y !== null && Number.isFinite(p.x) && Number.isFinite(p.y) && (!f.logY || p.y > 0);
  const pts = f.lines.flatMap((l) => l.data.filter(usable));
  let xr = extent(pts.map((p) => p.x)) ?? { lo: 0, hi: 1 };
  let yr = extent(pts.map((p) => ty(p.y))) ?? { lo: 0, hi: 1 };
  if (f.unitCircle) {
    // Equal scales, the unit circle always in view.
    const r = Math.max(1.05, ...pts.map((p) => Math.max(Math.abs(p.x), Math.abs(p.y)))) * 1.05;
    xr = { lo: -r, hi: r };
    yr = { lo: -r, hi: r };
  } else {
    const pad = (yr.hi - yr.lo) * 0.04;
    yr = { lo: yr.lo - pad, hi: yr.hi + pad };
  }
  let sx = plotW / (xr.hi - xr.lo);
  let sy = plotH / (yr.hi - yr.lo);
  let ox = MARGIN.left;
  let oy = MARGIN.top;
  if (f.unitCircle) {
    const s = Math.min(sx, sy);
    ox += (plotW - s * (xr.hi - xr.lo)) / 2;
    oy += (plotH - s * (yr.hi - yr.lo)) / 2;
    sx = s;
    sy = s;
  }
  const X = (x: number) => ox + (x - xr.lo) * sx;
  const Y = (y: number) => oy + (yr.hi - ty(y)) * sy;
  const Yt = (t: number) => oy + (yr.hi - t) * sy;
  const parts: string[] = [];
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`);
  parts.push(
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold" ${FONT}>${escapeXml(f.title)}</text>`,
  );
  const x0 = X(xr.lo);
  const x1 = X(xr.hi);
  const y0 = Yt(yr.lo);
  const y1 = Yt(yr.hi);
  // Grid and ticks.
  for (const t of niceTicks(xr.lo, xr.hi, 7)) {
    const x = X(t);
    parts.push(`<line x1="${num(x)}" y1="${num(y1)}" x2="${num(x)}" y2="${num(y0)}" stroke="#eee"/>`);
    parts.push(
      `<text x="${num(x)}" y="${num(y0 + 14)}" text-anchor="middle" font-size="10" ${FONT}>${tickLabel(t)}</text>`,
    );
  }
  const yTicks = f.logY
    ? Array.from({ length: Math.floor(yr.hi) - Math.ceil(yr.lo) + 1 }, (_, i) => Math.ceil(yr.lo) + i)
    : niceTicks(yr.lo, yr.hi, 6);
  const step = Math.max(1, Math.ceil(yTicks.length / 8));
  yTicks.forEach((t, i) => {
    const y = Yt(t);
    parts.push(`<line x1="${num(x0)}" y1="${num(y)}" x2="${num(x1)}" y2="${num(y)}" stroke="#eee"/>`);
    if (i % step === 0)
      parts.push(
        `<text x="${num(x0 - 5)}" y="${num(y + 3)}" text-anchor="end" font-size="10" ${FONT}>${f.logY ? `1e${t}` : tickLabel(t)}</text>`,
      );
  });
  parts.push(
    `<rect x="${num(x0)}" y="${num(y1)}" width="${num(x1 - x0)}" height="${num(y0 - y1)}" fill="none" stroke="#333"/>`,
  );
  if (f.unitCircle)
    parts.push(
      `<circle cx="${num(X(0))}" cy="${num(Y(0))}" r="${num(sx)}" fill="none" stroke="#888" stroke-dasharray="4 3"/>`,
    );
  parts.push(
    `<text x="${num((x0 + x1) / 2)}" y="${height - 10 - legendRows * 18}" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(f.xTitle)}</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${num((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(f.yTitle)}</text>`,
  );
  parts.push(
    `<clipPath id="plot"><rect x="${num(x0)}" y="${num(y1)}" width="${num(x1 - x0)}" height="${num(y0 - y1)}"/></clipPath>`,
  );
  for (const l of f.lines) {
    if (l.points) {
      const dots = l.data
        .filter(usable)
        .map((p) => `<circle cx="${num(X(p.x))}" cy="${num(Y(p.y))}" r="2.2"/>`)
        .join('');
      parts.push(`<g fill="${l.color}" fill-opacity="0.75" clip-path="url(#plot)">${dots}</g>`);
      continue;
    }
    // One path of segments, broken at gaps.
    let d = '';
    let pen = false;
    for (const p of l.data) {
      if (!usable(p)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${num(X(p.x))} ${num(Y(p.y))}`;
      pen = true;
    }
    if (d)
      parts.push(
        `<path d="${d}" fill="none" stroke="${l.color}" stroke-width="${l.dashed ? 1 : 1.5}"${l.dashed ? ' stroke-dasharray="6 4"' : ''} clip-path="url(#plot)"/>`,
      );
  }
  if (f.legend) {
    const colW = (width - MARGIN.left) / legendCols;
    f.lines.forEach((l, i) => {
      const lx = MARGIN.left + (i % legendCols) * colW;
      const ly = height - legendRows * 18 + Math.floor(i / legendCols) * 18 + 2;
      parts.push(
        l.points
          ? `<circle cx="${num(lx + 8)}" cy="${ly}" r="3" fill="${l.color}"/>`
          : `<line x1="${lx}" y1="${ly}" x2="${lx + 16}" y2="${ly}" stroke="${l.color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="4 3"' : ''}/>`,
      );
      parts.push(`<text x="${lx + 22}" y="${ly + 4}" font-size="11" ${FONT}>${escapeXml(l.label)}</text>`);
    });
  }
  return svgDocument(width, height, parts);
}

/** Viridis (matplotlib's default colormap), 9 control points, linearly interpolated; t ∈ [0, 1]. */
const VIRIDIS = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
] as const;

export function viridis(t: number): string {
  const u = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const f = u - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  const c = [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** A heat map (rows × columns of cells) with a colour bar, as an SVG document. */
export function heatmapSvg(h: HeatmapFigure): Svg {
  const width = h.width ?? 640;
  const height = h.height ?? 360;
  const barW = 14;
  const plotW = width - MARGIN.left - MARGIN.right - barW - 56;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const tv = (v: number) => (h.log ? (v > 0 ? Math.log10(v) : NaN) : v);
  const range = h.range ?? extent(h.values.flatMap((r) => r.map(tv))) ?? { lo: 0, hi: 1 };
  const parts: string[] = [`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`];
  parts.push(
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold" ${FONT}>${escapeXml(h.title)}</text>`,
  );
  const cols = h.xs.length;
  const rows = h.ys.length;
  const cw = plotW / Math.max(1, cols);
  const rh = plotH / Math.max(1, rows);
  const x0 = MARGIN.left;
  const y0 = MARGIN.top;
  for (let r = 0; r < rows; r++) {
    const row = h.values[r] ?? [];
    // Runs of equal colour in a row are one rectangle: a 200-step row of a vanished gradient is mostly grey.
    let c = 0;
    while (c < cols) {
      const v = tv(row[c] ?? NaN);
      const fill = Number.isFinite(v) ? viridis((v - range.lo) / (range.hi - range.lo)) : '#ccc';
      let e = c + 1;
      while (e < cols) {
        const w = tv(row[e] ?? NaN);
        const f2 = Number.isFinite(w) ? viridis((w - range.lo) / (range.hi - range.lo)) : '#ccc';
        if (f2 !== fill) break;
        e++;
      }
      const y = y0 + (rows - 1 - r) * rh;
      parts.push(
        `<rect x="${num(x0 + c * cw)}" y="${num(y)}" width="${num((e - c) * cw + 0.3)}" height="${num(rh + 0.3)}" fill="${fill}"/>`,
      );
      c = e;
    }
  }
  parts.push(
    `<rect x="${x0}" y="${y0}" width="${num(plotW)}" height="${num(plotH)}" fill="none" stroke="#333"/>`,
  );
  // Axes: column coordinates along x, row coordinates along y (labelled at a few rows).
  if (cols > 0)
    for (const t of niceTicks(h.xs[0]!, h.xs[cols - 1]!, 7)) {
      const i = h.xs.findIndex((v) => v >= t);
      if (i < 0) continue;
      const x = x0 + (i + 0.5) * cw;
      parts.push(
        `<text x="${num(x)}" y="${num(y0 + plotH + 14)}" text-anchor="middle" font-size="10" ${FONT}>${tickLabel(t)}</text>`,
      );
    }
  const every = Math.max(1, Math.ceil(rows / 8));
  h.ys.forEach((v, r) => {
    if (r % every !== 0 && r !== rows - 1) return;
    const y = y0 + (rows - 1 - r + 0.5) * rh;
    parts.push(
      `<text x="${x0 - 5}" y="${num(y + 3)}" text-anchor="end" font-size="10" ${FONT}>${tickLabel(v)}</text>`,
    );
  });
  parts.push(
    `<text x="${num(x0 + plotW / 2)}" y="${height - 10}" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(h.xTitle)}</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${num(y0 + plotH / 2)}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(h.yTitle)}</text>`,
  );
  // Colour bar.
  const bx = x0 + plotW + 16;
  const steps = 32;
  for (let i = 0; i < steps; i++)
    parts.push(
      `<rect x="${num(bx)}" y="${num(y0 + plotH - ((i + 1) * plotH) / steps)}" width="${barW}" height="${num(plotH / steps + 0.3)}" fill="${viridis((i + 0.5) / steps)}"/>`,
    );
  for (const t of niceTicks(range.lo, range.hi, 5)) {
    const y = y0 + plotH - ((t - range.lo) / (range.hi - range.lo)) * plotH;
    parts.push(
      `<text x="${num(bx + barW + 4)}" y="${num(y + 3)}" font-size="10" ${FONT}>${h.log ? `1e${tickLabel(t)}` : tickLabel(t)}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(${num(width - 6)} ${num(y0 + plotH / 2)}) rotate(-90)" text-anchor="middle" font-size="11" ${FONT}>${escapeXml(h.colorbarTitle)}</text>`,
  );
  return svgDocument(width, height, parts);
}

function svgDocument(width: number, height: number, parts: string[]): Svg {
  return {
    svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>\n`,
    width,
    height,
  };
}

/** Panels side by side, `columns` per row, as one SVG document (each panel a nested <svg>). */
export function gridSvg(panels: readonly Svg[], columns: number): Svg {
  const cellW = Math.max(...panels.map((p) => p.width));
  const rows: Svg[][] = [];
  for (let i = 0; i < panels.length; i += columns) rows.push(panels.slice(i, i + columns));
  const rowH = rows.map((r) => Math.max(...r.map((p) => p.height)));
  const width = cellW * Math.min(columns, panels.length);
  const height = rowH.reduce((a, b) => a + b, 0);
  const parts: string[] = [`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`];
  let y = 0;
  rows.forEach((r, i) => {
    r.forEach((p, j) => {
      // Each panel keeps its own ids (clip paths) apart: its ids are suffixed by its position.
      const body = p.svg
        .replace(/^<svg [^>]*>/, '')
        .replace(/<\/svg>\n?$/, '')
        .replaceAll('id="plot"', `id="plot-${i}-${j}"`)
        .replaceAll('url(#plot)', `url(#plot-${i}-${j})`);
      parts.push(`<svg x="${j * cellW}" y="${y}" width="${p.width}" height="${p.height}">${body}</svg>`);
    });
    y += rowH[i]!;
  });
  return svgDocument(width, height, parts);
}

/** A CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = typeof v === 'number' ? (Number.isNaN(v) ? 'NaN' : String(v)) : v;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Long-format CSV of a chart's series: one row per point, `series,<x>,<y>` (gaps as empty y). */
export function linesCsv(lines: readonly FigureLine[], xName: string, yName: string): string {
  const rows = [['series', xName, yName].map(csvField).join(',')];
  for (const l of lines)
    for (const p of l.data) rows.push([csvField(l.label), csvField(p.x), csvField(p.y)].join(','));
  return rows.join('\n') + '\n';
}

/** A heat map as CSV: a header of the column coordinates, then one row per row coordinate. */
export function heatmapCsv(h: HeatmapFigure, rowName: string): string {
  const rows = [[rowName, ...h.xs.map(String)].map(csvField).join(',')];
  h.ys.forEach((y, r) => rows.push([y, ...(h.values[r] ?? [])].map(csvField).join(',')));
  return rows.join('\n') + '\n';
}

/** A legend strip of `width`: a swatch and a label per item, as many per row as fit. */
export function legendSvg(
  items: readonly { label: string; color: string; dashed?: boolean }[],
  width: number,
): Svg {
  const longest = Math.max(0, ...items.map((i) => i.label.length));
  const colW = Math.min(width, longest * 6.5 + 40);
  const cols = Math.max(1, Math.floor(width / colW));
  const rows = Math.ceil(items.length / cols);
  const height = rows * 20 + 10;
  const parts: string[] = [`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`];
  items.forEach((it, i) => {
    const x = 16 + (i % cols) * colW;
    const y = 14 + Math.floor(i / cols) * 20;
    parts.push(
      `<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${it.color}" stroke-width="2.5"${it.dashed ? ' stroke-dasharray="4 3"' : ''}/>`,
    );
    parts.push(`<text x="${x + 24}" y="${y + 4}" font-size="12" ${FONT}>${escapeXml(it.label)}</text>`);
  });
  return svgDocument(width, height, parts);
}
