// How curves are drawn (x axis, log y, smoothing), shared by Run detail and Compare and kept across reloads.
import type { XAxis } from '../chart/xy.ts';

const KEY = 'rnnwb.chartPrefs';

interface Saved {
  xAxis: XAxis;
  logY: boolean;
  smoothing: number;
}

function read(): Saved {
  const fallback: Saved = { xAxis: 'step', logY: false, smoothing: 0 };
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Saved>;
    return {
      xAxis: saved.xAxis === 'wall' ? 'wall' : 'step',
      logY: saved.logY === true,
      smoothing: typeof saved.smoothing === 'number' ? Math.min(Math.max(saved.smoothing, 0), 0.99) : 0,
    };
  } catch {
    return fallback;
  }
}

class ChartPrefs {
  xAxis = $state.raw<XAxis>('step');
  logY = $state.raw(false);
  /** EMA weight in [0, 0.99]; 0 draws the raw curve. */
  smoothing = $state.raw(0);

  constructor() {
    Object.assign(this, read());
    $effect.root(() => {
      $effect(() => {
        const saved: Saved = { xAxis: this.xAxis, logY: this.logY, smoothing: this.smoothing };
        localStorage.setItem(KEY, JSON.stringify(saved));
      });
    });
  }
}

export const chartPrefs = new ChartPrefs();
