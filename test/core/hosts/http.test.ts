// rnnwb serve: the contract over HTTP through the one dispatch, live run events over the WebSocket, loopback only.
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { serve } from '../../../core/hosts/http.ts';
import { Workbench } from '../../../core/workbench.ts';
import { tempDir } from '../../helpers/temp.ts';

async function post(
  url: string,
  method: string,
  input: unknown,
): Promise<{
  status: number;
  body: { ok: boolean; value?: unknown; error?: { code: string; message: string } };
}> {
  const r = await fetch(`${url}api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  return { status: r.status, body: (await r.json()) as { ok: boolean } };
}

describe('HTTP host', () => {
  it('serves the contract, streams a run over the WebSocket, and refuses bad input with a readable error', async (t) => {
    const wb = new Workbench({ dbPath: path.join(tempDir(t), 'wb.sqlite') });
    const server = await serve(wb, { port: 0 });
    t.after(async () => {
      await server.close();
      await wb.close();
    });

    const page = await fetch(server.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /RNN Workbench/);

    const archs = await post(server.url, 'archs', {});
    assert.equal(archs.status, 200);
    assert.ok((archs.body.value as { name: string }[]).some((a) => a.name === 'cornn'));

    const bad = await post(server.url, 'startRun', { arch: 'cornn', task: 'adding', set: { units: -3 } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error?.code, 'invalid_config');
    assert.match(bad.body.error?.message ?? '', /arch\.units = -3: must be ≥ 1/);
    const unknown = await post(server.url, 'dropTables', {});
    assert.equal(unknown.status, 404);
    const malformed = await post(server.url, 'run', { runId: 42 });
    assert.equal(malformed.body.error?.code, 'invalid_input');

    const ws = new WebSocket(`${server.url.replace('http', 'ws')}events`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const seen: { type: string; status?: string; step?: number }[] = [];
    const finished = new Promise<void>((resolve) =>
      ws.on('message', (m: Buffer) => {
        const e = (JSON.parse(m.toString()) as { data: { type: string; status?: string; step?: number } })
          .data;
        seen.push(e);
        if (e.type === 'status' && e.status === 'completed') resolve();
      }),
    );
    const started = await post(server.url, 'startRun', {
      arch: 'gru',
      task: 'adding',
      seed: 2,
      steps: 6,
      backend: 'cpu',
      set: { seqLen: 5, units: 4, evalSize: 8, evalEvery: 3 },
    });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    await finished;
    ws.close();
    assert.deepEqual(
      seen.filter((e) => e.type === 'metrics').map((e) => e.step),
      [0, 1, 2, 3, 4, 5, 6],
    );
    const id = (started.body.value as { id: string }).id;
    const series = await post(server.url, 'metrics', { runId: id, keys: ['train/loss'], maxPoints: 4 });
    const [loss] = series.body.value as { points: unknown[]; total: number }[];
    assert.equal(loss!.total, 6);
    assert.ok(loss!.points.length <= 4);
    // The batched read answers each request as `metrics` would, in the order asked.
    const many = await post(server.url, 'metricsMany', {
      requests: [
        { runId: id, keys: ['train/loss'], maxPoints: 4 },
        { runId: id, keys: ['train/lr'] },
      ],
    });
    const [first, second] = many.body.value as { key: string; points: unknown[] }[][];
    assert.deepEqual(first, series.body.value);
    assert.deepEqual(
      second!.map((s) => [s.key, s.points.length]),
      [['train/lr', 6]],
    );

    // A page of another site reaching 127.0.0.1 through DNS rebinding carries its own Host header: refused.
    const foreign = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/runs',
          method: 'POST',
          headers: { host: 'evil.example' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    assert.equal(foreign, 403);
  });
});
