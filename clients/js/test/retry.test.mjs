// Retries against a scripted HTTP server: each request takes the next scripted answer.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { TektonApiError, TektonClient, TektonConnectionError, TektonTimeoutError, defaultRetryOptions } from 'tekton-client';

let server;
let port;
let script = [];
let requests = [];
const hanging = new Set();

function problem(status, code, extra = {}) {
  return { status, body: { title: 'scripted', status, detail: `scripted ${status}`, code, success: false, ...extra } };
}

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      const step = script.shift() ?? { status: 500, body: { code: 1000, detail: 'script exhausted' } };
      if (step.destroy) {
        req.socket.destroy();
        return;
      }
      if (step.hang) {
        hanging.add(res);
        return;
      }
      const headers = { 'Content-Type': step.contentType ?? (step.status >= 400 ? 'application/problem+json' : 'application/json'), ...step.headers };
      res.writeHead(step.status, headers);
      res.end(step.body === undefined ? '' : typeof step.body === 'string' ? step.body : JSON.stringify(step.body));
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
});

after(async () => {
  for (const res of hanging) {
    res.destroy();
  }
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  script = [];
  requests = [];
});

const fast = { baseDelayMs: 5, maxDelayMs: 20 };
const client = (options = {}) => new TektonClient({ host: '127.0.0.1', port, apiKey: null, ...options, retry: { ...fast, ...options.retry } });
const ok = (body) => ({ status: 200, body });

describe('what is retried', () => {
  test('registration: 503 then 201, with the same Idempotency-Key on every attempt', async () => {
    script = [problem(503, 1000), problem(502, 1000), { status: 201, body: { success: true, message: 'Component registered successfully', instance_uuid: 'u-1' } }];
    const result = await client().registerComponent({ component_id: 'a', component_name: 'A', component_type: 'service', version: '1.0.0' });
    assert.deepEqual(result, { success: true, message: 'Component registered successfully', instance_uuid: 'u-1' });
    assert.equal(requests.length, 3);
    const keys = requests.map((r) => r.headers['idempotency-key']);
    assert.match(keys[0], /^[0-9a-f]{32}$/);
    assert.deepEqual(new Set(keys).size, 1);
    assert.equal(requests[0].headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(requests[2].body).component_id, 'a');
  });

  test('registration: a given idempotencyKey is sent; each call gets its own key otherwise', async () => {
    script = [ok({ success: true }), ok({ success: true }), ok({ success: true })];
    const c = client();
    await c.registerComponent({ component_id: 'a' }, { idempotencyKey: 'my-key-1' });
    await c.registerComponent({ component_id: 'a' });
    await c.registerComponent({ component_id: 'a' });
    assert.equal(requests[0].headers['idempotency-key'], 'my-key-1');
    assert.notEqual(requests[1].headers['idempotency-key'], requests[2].headers['idempotency-key']);
  });

  test('GET: 429, 502, 503 and 504 (without a definite code) are retried', async () => {
    script = [problem(429, 1007), problem(502, 1000), problem(504, 1000), ok({ version: '1.0.0' })];
    const version = await client().getVersion();
    assert.equal(version.version, '1.0.0');
    assert.equal(requests.length, 4);
  });

  test('heartbeat, state, start, stop, resource reports, route and model writes are retried', async () => {
    const c = client();
    const calls = [
      () => c.sendHeartbeat('a', { status: 'ready' }),
      () => c.changeInstanceState('a', 'u', 'ready'),
      () => c.startComponent('a'),
      () => c.stopComponent('a', { force: true }),
      () => c.reportResources('a', { cpu_percent: 1 }),
      () => c.routeTask({ task_type: 'chat' }),
      () => c.putModel('m', { provider: 'p', capabilities: ['chat'], tier: 1, context_window: 1 }),
      () => c.deleteModel('m'),
      () => c.deregisterComponent('a'),
    ];
    for (const call of calls) {
      requests = [];
      script = [problem(503, 1000), ok({ success: true })];
      assert.deepEqual(await call(), { success: true });
      assert.equal(requests.length, 2, `${requests[0].method} ${requests[0].url}`);
      assert.equal(requests[0].body, requests[1].body);
    }
  });

  test('a connection reset is retried', async () => {
    script = [{ destroy: true }, ok({ components: [] })];
    const list = await client().listComponents({ status: 'ready', type: 'llm' });
    assert.deepEqual(list, { components: [] });
    assert.equal(requests.length, 2);
    assert.equal(requests[1].url, '/api/tekton/components?status=ready&type=llm');
  });

  test('Retry-After is honoured', async () => {
    script = [{ ...problem(429, 1007), headers: { 'Retry-After': '1' } }, ok({ version: '1.0.0' })];
    const started = Date.now();
    await client().getVersion();
    const waited = Date.now() - started;
    assert.ok(waited >= 950, `waited ${waited} ms`);
    assert.equal(requests.length, 2);
  });

  test('the attempts run out: the last error is thrown', async () => {
    script = [problem(503, 1000), problem(503, 1000), problem(503, 1000), { ...problem(503, 1000, { detail: 'still down' }), headers: { 'Retry-After': '0' } }];
    await assert.rejects(client().getVersion(), (error) => {
      assert.ok(error instanceof TektonApiError);
      assert.equal(error.status, 503);
      assert.equal(error.code, 1000);
      assert.equal(error.retryAfter, 0);
      assert.match(error.message, /still down/);
      return true;
    });
    assert.equal(requests.length, defaultRetryOptions.maxAttempts);
  });

  test('an attempt that takes too long times out and is retried, then TektonTimeoutError', async () => {
    script = [{ hang: true }, { hang: true }];
    const started = Date.now();
    await assert.rejects(client({ timeoutMs: 200, retry: { maxAttempts: 2 } }).getVersion(), (error) => {
      assert.ok(error instanceof TektonTimeoutError);
      assert.ok(error instanceof TektonConnectionError);
      return true;
    });
    assert.equal(requests.length, 2);
    assert.ok(Date.now() - started < 3000);
  });
});

describe('what is not retried', () => {
  test('503 with code 1010 (no model available)', async () => {
    script = [{ ...problem(503, 1010), headers: { 'Retry-After': '30' } }, ok({})];
    await assert.rejects(client().routeTask({ task_type: 'chat' }), { code: 1010, status: 503, retryAfter: 30 });
    assert.equal(requests.length, 1);
  });

  test('504 with code 1006 (a stop that timed out)', async () => {
    script = [problem(504, 1006), ok({})];
    await assert.rejects(client().stopComponent('a', { timeout: 1 }), { code: 1006, status: 504 });
    assert.equal(requests.length, 1);
    assert.deepEqual(JSON.parse(requests[0].body), { timeout: 1 });
  });

  test('a Retry-After longer than maxRetryAfterMs', async () => {
    script = [{ ...problem(429, 1007), headers: { 'Retry-After': '60' } }, ok({})];
    await assert.rejects(client().getVersion(), { status: 429, code: 1007, retryAfter: 60 });
    assert.equal(requests.length, 1);
  });

  test('4xx answers and 500', async () => {
    for (const answer of [problem(400, 1000), problem(401, 1008), problem(404, 1001), problem(409, 1012), problem(500, 1000)]) {
      requests = [];
      script = [answer, ok({})];
      await assert.rejects(client().getComponent('a'), { status: answer.status, code: answer.body.code });
      assert.equal(requests.length, 1);
    }
  });

  test('createApiKey (a retry would create a second key)', async () => {
    script = [problem(503, 1000), ok({})];
    await assert.rejects(client().createApiKey({ name: 'k', role: 'monitor' }), { status: 503 });
    assert.equal(requests.length, 1);
  });

  test('maxAttempts: 1 turns retries off', async () => {
    script = [problem(503, 1000), ok({})];
    await assert.rejects(client({ retry: { maxAttempts: 1 } }).getVersion(), { status: 503 });
    assert.equal(requests.length, 1);
  });
});

describe('answers', () => {
  test('an error without a JSON body: code 1000, problem null', async () => {
    script = [{ status: 418, body: 'I am a teapot', contentType: 'text/plain' }];
    await assert.rejects(client().getVersion(), (error) => {
      assert.equal(error.status, 418);
      assert.equal(error.code, 1000);
      assert.equal(error.problem, null);
      assert.match(error.message, /I am a teapot/);
      return true;
    });
  });

  test('204 is null; waitForSignal clamps its wait to 0–60', async () => {
    script = [{ status: 204 }, { status: 204 }];
    assert.equal(await client().waitForSignal('a', 'u', 0.2), null);
    assert.equal(await client().waitForSignal('a', 'u', 600), null);
    assert.deepEqual(requests.map((r) => r.url), ['/api/tekton/components/a/instances/u/signals?wait=1', '/api/tekton/components/a/instances/u/signals?wait=60']);
  });

  test('query parameters and bodies have the API names', async () => {
    script = Array.from({ length: 6 }, () => ok({}));
    const c = client();
    await c.startComponent('a b', { wait: true, dependencyTimeout: 5 });
    await c.getComponentLogs('a', { tail: 10, instanceUuid: 'u' });
    await c.getAuditTrail({ limit: 5, beforeId: 9, outcome: 'denied' });
    await c.stopComponent('a', { instanceUuid: 'u', cascade: true });
    await c.listModels({ capability: 'chat', provider: 'openai', status: 'available' });
    await c.changeInstanceState('a', 'u', 'stopping', 'bye');
    assert.deepEqual(requests.map((r) => `${r.method} ${r.url}`), [
      'POST /api/tekton/components/a%20b/start?wait=true&dependency_timeout=5',
      'GET /api/tekton/components/a/logs?tail=10&instance_uuid=u',
      'GET /api/tekton/audit?limit=5&before_id=9&outcome=denied',
      'POST /api/tekton/components/a/stop',
      'GET /api/tekton/models?capability=chat&provider=openai&status=available',
      'PUT /api/tekton/components/a/instances/u/state',
    ]);
    assert.deepEqual(JSON.parse(requests[3].body), { instance_uuid: 'u', cascade: true });
    assert.deepEqual(JSON.parse(requests[5].body), { state: 'stopping', reason: 'bye' });
  });

  test('the API key goes in Authorization: Bearer', async () => {
    script = [ok({})];
    await client({ apiKey: 'tk_secret' }).getVersion();
    assert.equal(requests[0].headers.authorization, 'Bearer tk_secret');
  });

  test('a custom fetch is used', async () => {
    const seen = [];
    const c = new TektonClient({
      baseUrl: 'http://tekton.invalid/',
      fetch: async (url, init) => {
        seen.push(`${init.method} ${url}`);
        return new Response(JSON.stringify({ version: '9.9.9' }), { status: 200, headers: { 'Content-Type': 'application/json' } });
      },
    });
    assert.equal((await c.getVersion()).version, '9.9.9');
    assert.deepEqual(seen, ['GET http://tekton.invalid/api/tekton/version']);
  });
});
