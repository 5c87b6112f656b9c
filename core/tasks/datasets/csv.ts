// Long-format CSV: one row per time step with a sequence id, a time, feature columns and a label column.
import { badFile } from './files.ts';
import type { SequenceData } from './sequences.ts';
import { assertFiniteFeatures } from './sequences.ts';

/** How the columns of a CSV map onto sequences (the CLI's --id-col … flags, the UI's column pickers). */
export interface CsvMapping {
  /** Column naming the sequence each row belongs to. */
  idColumn: string;
  /** Column ordering the rows of a sequence; '' keeps file order. */
  timeColumn: string;
  /** The label (classification) or target (regression) column; constant within a sequence. */
  labelColumn: string;
  /** Feature columns; empty: every column that is not id, time or label. */
  featureColumns: string[];
  kind: 'classification' | 'regression' | 'auto';
  delimiter: string;
}

/** Splits CSV text into rows of fields (RFC 4180: quoted fields with "" escapes, CRLF or LF). */
export function parseCsvRows(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
  }
  return rows;
}

/** The value of a numeric cell; NaN for an empty or non-numeric one (refused by the caller with its place). */
const num = (s: string): number => (s.trim() === '' ? NaN : Number(s));

/**
 * Reads a long-format CSV into sequences: rows grouped by the id column (sequences in order of first
 * appearance), sorted by the time column (stable), features from the feature columns, one label per sequence.
 * Refuses a missing column, a non-numeric / NaN / empty feature or time, a label that changes within a
 * sequence, and a row with the wrong number of fields, each with the line number.
 */
export function readCsv(text: string, file: string, m: CsvMapping): SequenceData {
  const rows = parseCsvRows(text.replace(/^\uFEFF/, ''), m.delimiter);
  if (rows.length < 2) throw badFile(file, 'has no data rows (a header row, then one row per time step)');
  const header = rows[0]!.map((h) => h.trim());
  const col = (name: string, what: string): number => {
    const i = header.indexOf(name);
    if (i < 0)
      throw badFile(
        file,
        `missing column '${name}' (the ${what} column); its columns are: ${header.join(', ')}`,
      );
    return i;
  };
  const idCol = col(m.idColumn, 'sequence id');
  const timeCol = m.timeColumn === '' ? -1 : col(m.timeColumn, 'time');
  const labelCol = col(m.labelColumn, 'label');
  const featureCols =
    m.featureColumns.length > 0
      ? m.featureColumns.map((f) => col(f, 'feature'))
      : header.map((_, i) => i).filter((i) => i !== idCol && i !== timeCol && i !== labelCol);
  if (featureCols.length === 0) throw badFile(file, 'has no feature columns left besides id, time and label');
  const D = featureCols.length;

  const seqs = new Map<string, { line: number; time: number; values: number[] }[]>();
  const labelOf = new Map<string, { text: string; line: number }>();
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]!;
    const line = r + 1;
    if (row.length !== header.length)
      throw badFile(file, `line ${line} has ${row.length} fields, the header ${header.length}`);
    const id = row[idCol]!;
    const label = row[labelCol]!.trim();
    if (label === '') throw badFile(file, `line ${line}: empty label in column '${m.labelColumn}'`);
    const prev = labelOf.get(id);
    if (prev && prev.text !== label)
      throw badFile(
        file,
        `sequence '${id}' changes its label from '${prev.text}' (line ${prev.line}) to '${label}' (line ${line}); ` +
          'the label column must be constant within a sequence',
      );
    if (!prev) labelOf.set(id, { text: label, line });
    const values = featureCols.map((c) => num(row[c]!));
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw badFile(
        file,
        `line ${line}, column '${header[featureCols[bad]!]}': feature '${row[featureCols[bad]!]}' is not a finite number (NaN and empty features are refused)`,
      );
    const time = timeCol < 0 ? r : num(row[timeCol]!);
    if (!Number.isFinite(time))
      throw badFile(file, `line ${line}, column '${m.timeColumn}': time '${row[timeCol]!}' is not a number`);
    let list = seqs.get(id);
    if (!list) seqs.set(id, (list = []));
    list.push({ line, time, values });
  }

  const ids = [...seqs.keys()];
  const labelTexts = ids.map((id) => labelOf.get(id)!.text);
  const numeric = labelTexts.map(num);
  const allNumeric = numeric.every(Number.isFinite);
  const kind =
    m.kind !== 'auto'
      ? m.kind
      : allNumeric && !numeric.every(Number.isInteger)
        ? 'regression'
        : 'classification';
  if (kind === 'regression' && !allNumeric) {
    const i = numeric.findIndex((v) => !Number.isFinite(v));
    throw badFile(
      file,
      `line ${labelOf.get(ids[i]!)!.line}: regression target '${labelTexts[i]}' is not a number`,
    );
  }

  const n = ids.length;
  const maxLen = Math.max(...ids.map((id) => seqs.get(id)!.length));
  const x = new Float32Array(n * maxLen * D);
  const lengths = new Int32Array(n);
  ids.forEach((id, i) => {
    const steps = seqs.get(id)!;
    steps.sort((a, b) => a.time - b.time);
    lengths[i] = steps.length;
    steps.forEach((s, t) => x.set(s.values, (i * maxLen + t) * D));
  });

  let labels: Int32Array | null = null;
  let targets: Float32Array | null = null;
  let classNames: string[] | null = null;
  if (kind === 'classification') {
    const names = [...new Set(labelTexts)];
    if (allNumeric) names.sort((a, b) => Number(a) - Number(b));
    else names.sort();
    classNames = names;
    const index = new Map(names.map((nm, i) => [nm, i]));
    labels = Int32Array.from(labelTexts, (l) => index.get(l)!);
  } else targets = Float32Array.from(numeric);
  const data: SequenceData = {
    kind,
    n,
    maxLen,
    inputDim: D,
    x,
    lengths,
    labels,
    targets,
    targetDim: 1,
    classes: classNames?.length ?? null,
    classNames,
  };
  assertFiniteFeatures(data, file, (i, t) => `sequence '${ids[i]}' step ${t}`);
  return data;
}
