// The page `rnnwb serve` shows until the renderer is built: the runs table, live over the event stream.
export const MINIMAL_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>RNN Workbench</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self' ws://127.0.0.1:* ws://localhost:*">
<style>body{font:14px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:left}
.err{color:#b00}</style></head>
<body><h1>RNN Workbench</h1><p>Runs in this database (the full UI appears here once the renderer is built).</p>
<table><thead><tr><th>id</th><th>arch</th><th>task</th><th>status</th><th>step</th><th>latest</th></tr></thead><tbody id="runs"></tbody></table>
<p id="msg"></p>
<script>
async function api(method, input) {
  const r = await fetch('/api/' + method, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input || {}) });
  const body = await r.json();
  if (!body.ok) throw new Error(body.error.message);
  return body.value;
}
function cell(text) { const td = document.createElement('td'); td.textContent = text; return td; }
async function refresh() {
  try {
    const runs = await api('runs', {});
    const tbody = document.getElementById('runs');
    tbody.replaceChildren(...runs.map((r) => {
      const tr = document.createElement('tr');
      const latest = Object.entries(r.latest).filter(([k]) => k.startsWith('eval/')).map(([k, p]) => k + '=' + Number(p.value).toPrecision(4)).join(' ');
      [r.id, r.spec.arch, r.spec.task, r.status, r.step + '/' + r.spec.steps, latest].forEach((t) => tr.appendChild(cell(t)));
      return tr;
    }));
  } catch (e) { const m = document.getElementById('msg'); m.className = 'err'; m.textContent = String(e.message || e); }
}
refresh();
const ws = new WebSocket('ws://' + location.host + '/events');
ws.onmessage = (m) => { const e = JSON.parse(m.data).data; if (e.type !== 'metrics' || e.step % 10 === 0) refresh(); };
</script></body></html>
`;
