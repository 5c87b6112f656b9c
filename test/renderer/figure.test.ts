// The SVG figure renderer and CSV writers (renderer/src/lib/figure/svg.ts): well-formed, escaped, faithful to the data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  csvField,
  gridSvg,
  heatmapCsv,
  heatmapSvg,
  legendSvg,
  lineFigureSvg,
  linesCsv,
  niceTicks,
  viridis,
  type HeatmapFigure,
} from '../../renderer/src/lib/figure/svg.ts';

const count = (s: string, sub: string) => s.split(sub).length - 1;

describe('SVG figures', () => {
  it('draws a line chart with escaped titles, a path per curve broken at gaps, and a legend', () => {
    const f = lineFigureSvg({
      title: 'a < b & "c"',
      xTitle: 'step',
      yTitle: 'loss',
      logY: true,
      legend: true,
      lines: [
        {
          label: 'run <1>',
          color: '#f00',
          data: [
            { x: 0, y: 1 },
            { x: 1, y: 0.1 },
            { x: 2, y: null },
            { x: 3, y: 0.01 },
            { x: 4, y: 0.001 },
          ],
        },
        {
          label: 'baseline',
          color: '#555',
          dashed: true,
          data: [
            { x: 0, y: 0.5 },
            { x: 4, y: 0.5 },
          ],
        },
      ],
    });
    assert.match(f.svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="640" height="\d+"/);
    assert.ok(f.svg.includes('a &#60; b &#38; &#34;c&#34;') && f.svg.includes('run &#60;1&#62;'));
    assert.ok(!f.svg.includes('<1>'));
    // Two moves in the first curve's path (the gap at x = 2 lifts the pen), one in the baseline's.
    const paths = [...f.svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1]!);
    assert.equal(paths.length, 2);
    assert.equal(count(paths[0]!, 'M'), 2);
    assert.equal(count(paths[1]!, 'M'), 1);
    assert.ok(f.svg.includes('stroke-dasharray="6 4"'));
    // Log axis: a tick per decade, 1e-3 … 1e0.
    for (const t of ['1e-3', '1e-2', '1e-1', '1e0']) assert.ok(f.svg.includes(`>${t}<`), t);
  });

  it('draws eigenvalues as points with the unit circle on equal axes', () => {
    const f = lineFigureSvg({
      title: 'λ',
      xTitle: 'Re',
      yTitle: 'Im',
      logY: false,
      legend: false,
      unitCircle: true,
      width: 400,
      height: 400,
      lines: [
        {
          label: 'λ',
          color: '#00f',
          points: true,
          data: [
            { x: 0.5, y: 0.5 },
            { x: 0.5, y: -0.5 },
            { x: -1, y: 0 },
          ],
        },
      ],
    });
    assert.equal(count(f.svg, '<circle '), 4); // the unit circle and three eigenvalues
    const circle = /<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)" fill="none"/.exec(f.svg)!;
    assert.ok(Number(circle[3]) > 100);
  });

  it('draws a heat map with grey for non-positive values on a log scale, and writes its CSV', () => {
    const h: HeatmapFigure = {
      title: 'g',
      xTitle: 't',
      yTitle: 'step',
      xs: [1, 2, 3, 4],
      ys: [0, 10],
      values: [
        [1e-3, 1e-2, 1e-1, 1],
        [0, 0, 1e-1, 1],
      ],
      log: true,
      colorbarTitle: '‖g‖',
    };
    const svg = heatmapSvg(h).svg;
    assert.ok(svg.includes('fill="#ccc"'));
    assert.ok(svg.includes(`fill="${viridis(0)}"`) && svg.includes(`fill="${viridis(1)}"`));
    assert.equal(heatmapCsv(h, 'training_step'), 'training_step,1,2,3,4\n0,0.001,0.01,0.1,1\n10,0,0,0.1,1\n');
  });

  it('composes panels into one document with distinct clip ids, and a legend strip', () => {
    const panel = lineFigureSvg({
      title: 'p',
      xTitle: 'x',
      yTitle: 'y',
      logY: false,
      legend: false,
      lines: [],
    });
    const grid = gridSvg([panel, panel, legendSvg([{ label: 'a', color: '#000' }], 640)], 2);
    assert.equal(grid.width, 1280);
    assert.ok(grid.svg.includes('id="plot-0-0"') && grid.svg.includes('id="plot-0-1"'));
    assert.ok(!grid.svg.includes('id="plot"'));
    assert.equal(count(grid.svg, '<svg '), 4);
  });

  it('writes CSV with RFC 4180 quoting and NaN spelled out', () => {
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField(NaN), 'NaN');
    assert.equal(csvField(null), '');
    assert.equal(
      linesCsv(
        [
          {
            label: 'arch=lstm, lr=0.1',
            color: '',
            data: [
              { x: 1, y: 2 },
              { x: 2, y: null },
            ],
          },
        ],
        'step',
        'loss',
      ),
      'series,step,loss\n"arch=lstm, lr=0.1",1,2\n"arch=lstm, lr=0.1",2,\n',
    );
    assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});
