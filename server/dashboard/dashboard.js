// The deployment dashboard: plain DOM over the admin API of the same origin
// (/deployments, /deployments/NAME/logs, /metrics) and /invoke/NAME/PATH,
// which hands a request to the deployment as if it came to NAME.localhost.
// The token stays in this tab's sessionStorage.
const $ = (id) => document.getElementById(id);
const HELLO_WAT = `;; A complete service: answers every request and logs a debug line.
(module
  (import "env" "hostcall_resp_set_header"
    (func $resp_set_header (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "hostcall_resp_set_body"
    (func $resp_set_body (param i32 i32 i32) (result i32)))
  (import "env" "hostcall_debug" (func $debug (param i32 i32)))
  (memory 1)
  (data (i32.const 64) "content-type")
  (data (i32.const 80) "text/plain; charset=utf-8")
  (data (i32.const 112) "\\50\\00\\00\\00\\19\\00\\00\\00")
  (data (i32.const 128) "Hello from Vivarium!\\n")
  (data (i32.const 160) "hello: answered a request")
  (func (export "run")
    (call $debug (i32.const 160) (i32.const 25))
    (drop (call $resp_set_header (i32.const 0) (i32.const 64) (i32.const 12) (i32.const 112) (i32.const 1)))
    (drop (call $resp_set_body (i32.const 0) (i32.const 128) (i32.const 21)))))
`;

let token = sessionStorage.getItem('vivarium-admin-token') ?? '';
let logName = null, logSince = 0, uploaded = null;

async function api(path, init = {}) {
  const headers = { ...(init.headers ?? {}), Authorization: `Bearer ${token}` };
  return fetch(path, { ...init, headers });
}

/** An upload's error as a person reads it: the message, and where (line:column or byte offset). */
function describeError(j) {
  let where = '';
  if (j.line) where = `line ${j.line}, column ${j.column}`;
  else if (j.offset !== undefined) where = `byte offset ${j.offset} (0x${Number(j.offset).toString(16)})`;
  return (where ? `${where}: ` : '') + (j.message ?? j.error);
}

function requestCounts(metricsText) {
  const counts = {};
  for (const line of metricsText.split('\n')) {
    const m = /^vivarium_guest_outcomes_total\{[^}]*deployment="([^"]+)"[^}]*\}\s+([\d.e+]+)/.exec(line);
    if (m) counts[m[1]] = (counts[m[1]] ?? 0) + Number(m[2]);
  }
  return counts;
}

function status(d) {
  if (!d.expires_ms) return 'live';
  const left = Math.round((d.expires_ms - Date.now()) / 1000);
  return left > 0 ? `live, expires in ${left} s` : 'expiring';
}

async function refresh() {
  if (!token) return;
  const r = await api('/deployments');
  if (r.status === 401) { $('conn').textContent = 'wrong token'; return; }
  $('conn').textContent = 'connected';
  const { deployments } = await r.json();
  const metrics = await api('/metrics').then((m) => (m.ok ? m.text() : '')).catch(() => '');
  const counts = requestCounts(metrics);
  const body = $('deployments').tBodies[0];
  body.replaceChildren(...deployments.map((d) => {
    const tr = document.createElement('tr');
    for (const v of [d.name, status(d), d.ttl || '-', d.format, `${d.module_size} B`, counts[d.name] ?? 0, d.version.split('-')[0]]) {
      tr.insertCell().textContent = v;
    }
    const actions = tr.insertCell();
    const logs = Object.assign(document.createElement('button'), { textContent: 'logs', type: 'button' });
    logs.onclick = () => watchLogs(d.name);
    const del = Object.assign(document.createElement('button'), { textContent: 'undeploy', type: 'button' });
    del.onclick = async () => { await api(`/deployments/${d.name}`, { method: 'DELETE' }); refresh(); };
    actions.append(logs, ' ', del);
    return tr;
  }));
  $('empty').hidden = deployments.length > 0;
}

function watchLogs(name) {
  logName = name;
  logSince = 0;
  $('logs').textContent = '';
  $('log-name').textContent = name;
}

async function pollLogs() {
  if (!token || !logName) return;
  const r = await api(`/deployments/${logName}/logs?format=json&since=${logSince}`);
  if (!r.ok) return;
  const { lines } = await r.json();
  for (const l of lines) {
    $('logs').textContent += `${new Date(l.time_ms).toISOString().slice(11, 23)} ${l.level} ${l.request_id || '-'} ${l.text}\n`;
    logSince = Math.max(logSince, l.seq + 1);
  }
}

async function deploy(e) {
  e.preventDefault();
  const name = $('name').value.trim();
  const ttl = $('ttl').value.trim();
  const query = new URLSearchParams(ttl ? { ttl } : {});
  const body = uploaded ?? new TextEncoder().encode($('wat').value);
  $('deploy-result').textContent = 'deploying...';
  $('deploy-error').hidden = true;
  const r = await api(`/deployments/${encodeURIComponent(name)}?${query}`, { method: 'PUT', body });
  const j = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
  if (!r.ok) {
    $('deploy-result').textContent = `refused (HTTP ${r.status})`;
    $('deploy-error').textContent = describeError(j);
    $('deploy-error').hidden = false;
    return;
  }
  $('deploy-result').innerHTML = '';
  $('deploy-result').append(Object.assign(document.createElement('span'), { className: 'ok', textContent: `deployed ${j.name} (version ${j.version.split('-')[0]})` }));
  $('call-name').value = j.name;
  watchLogs(j.name);
  refresh();
}

async function call(e) {
  e.preventDefault();
  const method = $('method').value, name = $('call-name').value.trim();
  const path = $('path').value.startsWith('/') ? $('path').value : '/' + $('path').value;
  const init = { method };
  if (method !== 'GET' && method !== 'HEAD') init.body = $('body').value;
  const t0 = performance.now();
  const r = await api(`/invoke/${encodeURIComponent(name)}${path}`, init);
  const text = await r.text();
  const ms = (performance.now() - t0).toFixed(1);
  const headers = [...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
  $('response').textContent = `HTTP ${r.status} ${r.statusText} (${ms} ms)\n${headers}\n\n${text}`;
  setTimeout(pollLogs, 100);
}

$('wat').value = HELLO_WAT;
$('token').value = token;
$('login').onsubmit = (e) => {
  e.preventDefault();
  token = $('token').value.trim();
  sessionStorage.setItem('vivarium-admin-token', token);
  refresh();
};
$('file').onchange = async () => {
  const f = $('file').files[0];
  if (!f) { uploaded = null; return; }
  if (f.name.endsWith('.wat')) { $('wat').value = await f.text(); uploaded = null; } else { uploaded = new Uint8Array(await f.arrayBuffer()); $('wat').value = `;; ${f.name}: ${f.size} bytes of binary module, deployed as uploaded`; }
  $('name').value ||= f.name.replace(/\.(wasm|wat)$/, '').toLowerCase().replace(/[^a-z0-9-]/g, '-');
};
$('wat').oninput = () => { uploaded = null; };
$('deploy').onsubmit = deploy;
$('call').onsubmit = call;
setInterval(refresh, 2000);
setInterval(pollLogs, 1000);
refresh();
