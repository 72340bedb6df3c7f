// Tekton with authentication on: API keys, tokens, roles, and credentials on the event sockets.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { TektonApiError, TektonClient } from 'tekton-client';
import { BOOTSTRAP_ADMIN_KEY, registration, startTekton, uniqueId, waitFor } from './support/tekton.mjs';

let tekton;
let admin;

before(async () => {
  tekton = await startTekton({ auth: true });
  admin = new TektonClient({ host: '127.0.0.1', port: tekton.port, apiKey: BOOTSTRAP_ADMIN_KEY });
});

after(async () => {
  await tekton?.stop();
});

async function rejectsWith(promise, status, code) {
  let caught;
  await assert.rejects(promise, (error) => {
    caught = error;
    assert.ok(error instanceof TektonApiError, `expected a TektonApiError, got ${error}`);
    assert.equal(error.status, status, error.message);
    assert.equal(error.code, code, error.message);
    return true;
  });
  return caught;
}

const clientWith = (apiKey, extra = {}) => new TektonClient({ host: '127.0.0.1', port: tekton.port, apiKey, ...extra });

describe('credentials', () => {
  test('the apiKey option works; no key and a wrong key are 401 with code 1008, not retried', async () => {
    const id = uniqueId('auth');
    const result = await admin.registerComponent(registration(id));
    assert.equal(result.success, true);
    assert.equal((await admin.getComponentStatus(id)).status, 'registered');

    const anonymous = clientWith(null);
    assert.equal((await anonymous.getVersion()).api_version, 'v1', 'the version is public');
    await rejectsWith(anonymous.listComponents(), 401, 1008);

    const wrong = clientWith('tk_this-key-does-not-exist-0000000000000000');
    const started = Date.now();
    const error = await rejectsWith(wrong.getComponent(id), 401, 1008);
    assert.ok(Date.now() - started < 2000, 'not retried');
    assert.equal(error.problem.code, 1008);
    assert.equal(error.problem.success, false);
  });

  test('TEKTON_API_KEY is the default key', async () => {
    const saved = process.env.TEKTON_API_KEY;
    process.env.TEKTON_API_KEY = BOOTSTRAP_ADMIN_KEY;
    try {
      const fromEnv = new TektonClient({ host: '127.0.0.1', port: tekton.port });
      assert.ok(Array.isArray((await fromEnv.listComponents()).components));
    } finally {
      if (saved === undefined) {
        delete process.env.TEKTON_API_KEY;
      } else {
        process.env.TEKTON_API_KEY = saved;
      }
    }
  });
});

describe('keys, roles and tokens', () => {
  test('createApiKey, listApiKeys, roles, issueToken, revokeApiKey and the audit trail', async () => {
    const component = uniqueId('keyed');
    const monitorKey = await admin.createApiKey({ name: 'js-monitor', role: 'monitor' });
    assert.match(monitorKey.api_key, /^tk_/);
    assert.equal(monitorKey.component_id, null);
    const componentKey = await admin.createApiKey({ name: 'js-component', role: 'component', component_id: component });
    assert.equal(componentKey.component_id, component);
    await rejectsWith(admin.createApiKey({ name: 'bad', role: 'component' }), 400, 1000);

    const keys = (await admin.listApiKeys()).keys;
    const listed = keys.find((k) => k.id === monitorKey.id);
    assert.equal(listed.role, 'monitor');
    assert.equal(listed.prefix, monitorKey.api_key.slice(0, 11));
    assert.ok(!('api_key' in listed), 'the list shows no secrets');
    assert.ok(keys.some((k) => k.name === 'bootstrap' && k.role === 'admin'));

    // A monitor reads, but may not write.
    const monitor = clientWith(monitorKey.api_key);
    assert.ok(Array.isArray((await monitor.listComponents()).components));
    const forbidden = await rejectsWith(monitor.registerComponent(registration(uniqueId('nope'))), 403, 1008);
    assert.match(forbidden.detail, /role|monitor|may not/i);
    await rejectsWith(monitor.listApiKeys(), 403, 1008);

    // A component key registers and heartbeats for its own id only.
    const self = clientWith(componentKey.api_key);
    const registered = await self.registerComponent(registration(component));
    const beat = await self.sendHeartbeat(component, { instance_uuid: registered.instance_uuid, status: 'ready' });
    assert.equal(beat.status, 'ready');
    await rejectsWith(self.registerComponent(registration(uniqueId('other'))), 403, 1008);

    // A token stands for its key.
    const token = await monitor.issueToken();
    assert.equal(token.token_type, 'Bearer');
    assert.equal(token.role, 'monitor');
    assert.ok(token.expires_in > 0);
    const withToken = clientWith(token.access_token);
    assert.equal((await withToken.getComponentStatus(component)).status, 'ready');
    const tokenForOther = await admin.issueToken(componentKey.api_key);
    assert.equal(tokenForOther.component_id, component);
    await rejectsWith(admin.issueToken('tk_unknown-key-000000000000000000000000000'), 401, 1008);

    // Revoking a key ends it and its tokens.
    assert.deepEqual(await admin.revokeApiKey(monitorKey.id), { success: true, message: 'API key revoked' });
    await rejectsWith(monitor.listComponents(), 401, 1008);
    await rejectsWith(withToken.listComponents(), 401, 1008);

    // The audit trail records the refusals.
    const audit = await admin.getAuditTrail({ limit: 50, outcome: 'denied' });
    assert.ok(audit.entries.length > 0);
    assert.ok(audit.entries.every((entry) => entry.outcome === 'denied'));
    assert.ok(audit.entries.some((entry) => entry.status === 403));
    assert.ok('next_before_id' in audit);
    const page = await admin.getAuditTrail({ limit: 1 });
    assert.equal(page.entries.length, 1);
    if (page.next_before_id !== null) {
      const next = await admin.getAuditTrail({ limit: 1, beforeId: page.next_before_id });
      assert.ok(next.entries[0].id < page.entries[0].id);
    }
  });
});

describe('event sockets with auth on', () => {
  test('the key in an Authorization header (ws in Node): events arrive', async () => {
    const id = uniqueId('sockhdr');
    const events = [];
    const subscription = admin.subscribeToStateChanges({ componentIds: [id] }, (event) => events.push(event));
    try {
      await subscription.ready;
      await admin.registerComponent(registration(id));
      await waitFor(() => events.length >= 1, { message: 'the registration event' });
      assert.equal(events[0].new_state, 'registered');
    } finally {
      await subscription.unsubscribe();
    }
  });

  test('the key in ?access_token= (a WHATWG WebSocket, as in browsers): events arrive', async () => {
    const id = uniqueId('sockqs');
    const events = [];
    const browserLike = clientWith(BOOTSTRAP_ADMIN_KEY, { WebSocket });
    const subscription = browserLike.subscribeToHeartbeats(id, (event) => events.push(event));
    try {
      await subscription.ready;
      await admin.registerComponent(registration(id));
      await admin.sendHeartbeat(id, { status: 'ready' });
      await waitFor(() => events.length >= 1, { message: 'the heartbeat event' });
      assert.equal(events[0].component_id, id);
    } finally {
      await subscription.unsubscribe();
    }
  });

  test('a token works on the sockets too', async () => {
    const token = await admin.issueToken();
    const subscription = clientWith(token.access_token).subscribeToHeartbeats('all', () => {});
    try {
      assert.equal((await subscription.ready).event, 'subscribed');
    } finally {
      await subscription.unsubscribe();
    }
  });

  test('a wrong key on a socket: ready rejects with 401/1008 (header and query)', async () => {
    for (const extra of [{}, { WebSocket }]) {
      const errors = [];
      const subscription = clientWith('tk_wrong-wrong-wrong-wrong-wrong-wrong-00', extra).subscribeToHeartbeats('all', () => {}, {
        onError: (error) => errors.push(error),
      });
      await assert.rejects(subscription.ready, (error) => {
        assert.ok(error instanceof TektonApiError, String(error));
        assert.equal(error.status, 401);
        assert.equal(error.code, 1008);
        return true;
      });
      assert.equal(errors.length, 1);
      await subscription.unsubscribe();
    }
    const none = clientWith(null).subscribeToStateChanges(() => {});
    await assert.rejects(none.ready, { status: 401, code: 1008 });
  });

  test("Node's own WebSocket (--experimental-websocket), as a browser would use it", async () => {
    const id = uniqueId('native');
    await admin.registerComponent(registration(id));
    const script = `
      import { TektonClient } from 'tekton-client';
      if (typeof globalThis.WebSocket !== 'function') { console.log('no global WebSocket'); process.exit(2); }
      const client = new TektonClient({ baseUrl: process.argv[1], apiKey: process.argv[2] });
      const subscription = client.subscribeToHeartbeats(process.argv[3], async (event) => {
        console.log(JSON.stringify({ component_id: event.component_id, status: event.status }));
        await subscription.unsubscribe();
      });
      await subscription.ready;
      await client.sendHeartbeat(process.argv[3], { status: 'ready' });
    `;
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const output = await new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        ['--experimental-websocket', '--no-warnings', '--input-type=module', '-e', script, tekton.url, BOOTSTRAP_ADMIN_KEY, id],
        { cwd, timeout: 20_000 },
        (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout)),
      );
    });
    assert.deepEqual(JSON.parse(output.trim()), { component_id: id, status: 'ready' });
  });
});
