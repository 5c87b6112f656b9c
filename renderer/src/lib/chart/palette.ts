// One distinct colour per run: Tableau 10, then its lighter companions (the tab20 set), then repeated.
const TAB20 = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#aec7e8',
  '#ffbb78',
  '#98df8a',
  '#ff9896',
  '#c5b0d5',
  '#c49c94',
  '#f7b6d2',
  '#c7c7c7',
  '#dbdb8d',
  '#9edae5',
];

export function colorOf(i: number): string {
  return TAB20[i % TAB20.length]!;
}

export const BASELINE_COLOR = '#555';
