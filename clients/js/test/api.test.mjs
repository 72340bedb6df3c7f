// Every method of the client against a real Tekton process (auth off).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TektonApiError, TektonClient, TektonConnectionError } from 'tekton-client';
import { freePort, registration, startTekton, uniqueId, waitFor } from './support/tekton.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let tekton;
let client;
const launched = [];

before(async () => {
  tekton = await startTekton();
  client = new TektonClient({ host: '127.0.0.1', port: tekton.port });
});

after(async () => {
  // Tekton leaves the processes it launched running when it stops (it re-adopts them): stop them first.
  for (const id of launched) {
    await client.deregisterComponent(id).catch(() => {});
  }
  await tekton?.stop();
});

/** Asserts that `promise` rejects with a TektonApiError of this status and code; returns the error. */
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

describe('service', () => {
  test('getVersion', async () => {
    const version = await client.getVersion();
    assert.equal(version.api_version, 'v1');
    assert.match(version.version, /^\d+\.\d+\.\d+/);
    assert.equal(typeof version.build_date, 'string');
    assert.equal(typeof version.git_commit, 'string');
  });

  test('isReady, getMetrics and the raw request', async () => {
    assert.equal(await client.isReady(), true);
    const metrics = await client.getMetrics();
    assert.match(metrics, /tekton_components/);
    const raw = await client.request('GET', '/health/live');
    assert.equal(raw.status, 'healthy');
    const down = new TektonClient({ baseUrl: `http://127.0.0.1:${await freePort()}/`, retry: { maxAttempts: 1 } });
    assert.equal(await down.isReady(), false);
  });

  test('an unknown route is 404 with code 1000', async () => {
    const error = await rejectsWith(client.request('GET', 'api/tekton/nothing-here'), 404, 1000);
    assert.equal(error.problem.success, false);
  });
});

describe('components', () => {
  test('registerComponent: 201 then 200, warnings, the API shape', async () => {
    const id = uniqueId('reg');
    const first = await client.registerComponent(registration(id, { capabilities: ['alpha'] }));
    assert.deepEqual(Object.keys(first).sort(), ['instance_uuid', 'message', 'success']);
    assert.equal(first.success, true);
    assert.equal(first.message, 'Component registered successfully');
    assert.match(first.instance_uuid, UUID);

    const again = await client.registerComponent(registration(id, { dependencies: ['ghost_dependency'] }));
    assert.notEqual(again.instance_uuid, first.instance_uuid);
    assert.deepEqual(again.warnings, ['dependencies not registered: ghost_dependency']);
  });

  test('registerComponent: the same Idempotency-Key gets the first answer; another body is refused', async () => {
    const id = uniqueId('idem');
    const key = `key-${id}`;
    const first = await client.registerComponent(registration(id), { idempotencyKey: key });
    const second = await client.registerComponent(registration(id), { idempotencyKey: key });
    assert.equal(second.instance_uuid, first.instance_uuid);
    const details = await client.getComponent(id);
    assert.equal(details.instances.length, 1);
    const error = await rejectsWith(client.registerComponent(registration(id, { version: '2.0.0' }), { idempotencyKey: key }), 400, 1002);
    assert.ok(error.errors.idempotency_key, JSON.stringify(error.problem));
  });

  test('registerComponent: validation errors carry 1002 and the fields', async () => {
    const error = await rejectsWith(
      client.registerComponent({ component_id: '-bad id', component_name: '', component_type: 'service', version: 'one' }),
      400,
      1002,
    );
    assert.ok(error.errors.component_id);
    assert.ok(error.errors.component_name);
    assert.ok(error.errors.version);
    assert.match(error.traceId, /^00-/);
    assert.equal(error.title, 'The request is invalid.');
    assert.match(error.message, /400 \(code 1002\)/);
  });

  test('registerComponent: another component_type is 409/1011 with existing_type', async () => {
    const id = uniqueId('type');
    await client.registerComponent(registration(id));
    const error = await rejectsWith(client.registerComponent(registration(id, { component_type: 'memory' })), 409, 1011);
    assert.equal(error.problem.existing_type, 'service');
  });

  test('listComponents with filters, findComponentsByCapability', async () => {
    const a = uniqueId('lista');
    const b = uniqueId('listb');
    await client.registerComponent(registration(a, { component_type: 'listtype', capabilities: ['cap_list_a', 'shared_cap'] }));
    await client.registerComponent(registration(b, { component_type: 'listtype', capabilities: ['shared_cap'] }));
    await client.sendHeartbeat(b, { status: 'ready' });

    const all = await client.listComponents();
    assert.ok(Array.isArray(all.components));
    const ids = all.components.map((c) => c.component_id);
    assert.ok(ids.indexOf(a) < ids.indexOf(b), 'registration order');

    const byType = await client.listComponents({ type: 'listtype' });
    assert.deepEqual(byType.components.map((c) => c.component_id), [a, b]);
    const ready = await client.listComponents({ type: 'listtype', status: 'ready' });
    assert.deepEqual(ready.components.map((c) => c.component_id), [b]);
    const byCapability = await client.listComponents({ capability: 'cap_list_a' });
    assert.deepEqual(byCapability.components.map((c) => c.component_id), [a]);

    const found = await client.findComponentsByCapability('shared_cap');
    assert.deepEqual(found.map((c) => c.component_id), [a, b]);
    const summary = found[1];
    assert.equal(summary.status, 'ready');
    assert.equal(summary.component_type, 'listtype');
    assert.equal(typeof summary.last_heartbeat, 'string');

    await rejectsWith(client.listComponents({ status: 'bogus' }), 400, 1000);
  });

  test('getComponent and getComponentStatus', async () => {
    const id = uniqueId('get');
    const { instance_uuid } = await client.registerComponent(
      registration(id, { port: 8555, health_check: '/api/health', metadata: { description: 'test' }, heartbeat_interval: 5 }),
    );
    const details = await client.getComponent(id);
    assert.equal(details.component_id, id);
    assert.equal(details.status, 'registered');
    assert.equal(details.port, 8555);
    assert.equal(details.health_check, '/api/health');
    assert.deepEqual(details.metadata, { description: 'test' });
    assert.equal(details.heartbeat_interval, 5);
    assert.equal(details.heartbeat_timeout, 30);
    assert.equal(details.launch, null);
    assert.equal(details.instances[0].instance_uuid, instance_uuid);
    assert.equal(details.instances[0].restart_count, 0);

    await client.sendHeartbeat(id, { status: 'ready', health: { database: 'healthy' } });
    const status = await client.getComponentStatus(id);
    assert.equal(status.component_id, id);
    assert.equal(status.status, 'ready');
    assert.equal(status.instance_uuid, instance_uuid);
    assert.equal(status.health_status.overall, 'healthy');
    assert.equal(status.health_status.database, 'healthy');
    assert.match(status.uptime, /^\d\d:\d\d:\d\d$/);
  });

  test('unknown components are 404 with code 1001', async () => {
    const error = await rejectsWith(client.getComponent('no_such_component'), 404, 1001);
    assert.equal(error.name, 'TektonApiError');
    assert.equal(error.problem.status, 404);
    assert.equal(error.retryAfter, null);
    await rejectsWith(client.getComponentStatus('no_such_component'), 404, 1001);
    await rejectsWith(client.deregisterComponent('no_such_component'), 404, 1001);
    await rejectsWith(client.sendHeartbeat('no_such_component'), 404, 1001);
    await rejectsWith(client.getComponentDependencies('no_such_component'), 404, 1001);
    await rejectsWith(client.getComponentResources('no_such_component'), 404, 1001);
    await rejectsWith(client.getComponentLogs('no_such_component'), 404, 1001);
  });

  test('ids are escaped in paths', async () => {
    await rejectsWith(client.getComponent('a/b?c#d'), 404, 1001);
  });

  test('deregisterComponent', async () => {
    const id = uniqueId('dereg');
    await client.registerComponent(registration(id));
    const result = await client.deregisterComponent(id);
    assert.deepEqual(result, { success: true, message: 'Component deregistered successfully' });
    await rejectsWith(client.getComponent(id), 404, 1001);
  });
});

describe('lifecycle', () => {
  test('sendHeartbeat and changeInstanceState; a forbidden transition is 409/1012', async () => {
    const id = uniqueId('life');
    const { instance_uuid } = await client.registerComponent(registration(id));
    const beat = await client.sendHeartbeat(id, {
      instance_uuid,
      status: 'ready',
      metrics: { cpu_percent: 15.2, active_connections: 5 },
    });
    assert.deepEqual(beat, { success: true, message: 'Heartbeat received', instance_uuid, status: 'ready' });
    const empty = await client.sendHeartbeat(id);
    assert.equal(empty.status, 'ready');

    const change = await client.changeInstanceState(id, instance_uuid, 'degraded', 'vector index rebuilding');
    assert.deepEqual(change, {
      success: true,
      message: 'Instance is now degraded',
      component_id: id,
      instance_uuid,
      previous_state: 'ready',
      new_state: 'degraded',
    });
    const same = await client.changeInstanceState(id, instance_uuid, 'degraded');
    assert.equal(same.message, 'Instance already degraded');
    const details = await client.getComponent(id);
    assert.equal(details.instances[0].reason, 'vector index rebuilding');

    const error = await rejectsWith(client.changeInstanceState(id, instance_uuid, 'initializing'), 409, 1012);
    assert.equal(error.problem.current_state, 'degraded');
    assert.equal(error.problem.requested_state, 'initializing');
    assert.deepEqual(error.problem.allowed_states, ['failed', 'ready', 'stopping']);
    await rejectsWith(client.changeInstanceState(id, 'not-a-uuid', 'ready'), 400, 1000);
    await rejectsWith(client.sendHeartbeat(id, { status: 'bogus' }), 400, 1000);
  });

  test('startHeartbeat sends every interval, the first at once, until stop()', async () => {
    const id = uniqueId('loop');
    const { instance_uuid } = await client.registerComponent(registration(id));
    const results = [];
    const loop = client.startHeartbeat(id, {
      interval: 0.2,
      instanceUuid: instance_uuid,
      build: () => ({ status: 'ready', metrics: { beats: results.length } }),
      onHeartbeat: (result) => results.push(result),
    });
    assert.equal(loop.interval, 0.2);
    await waitFor(() => loop.sent >= 3, { message: 'three heartbeats' });
    await loop.stop();
    const sent = loop.sent;
    assert.equal(loop.failed, 0);
    assert.equal(loop.lastResult.instance_uuid, instance_uuid);
    assert.equal(results[0].status, 'ready');
    const status = await client.getComponentStatus(id);
    assert.equal(status.status, 'ready');
    assert.equal(typeof status.last_heartbeat, 'string');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(loop.sent, sent, 'no heartbeat after stop()');
    await loop.stop(); // a second stop is harmless
  });

  test('startHeartbeat counts failures and goes on; the number form of the interval', async () => {
    const errors = [];
    const loop = client.startHeartbeat('never_registered_component', 0.1);
    const withErrors = client.startHeartbeat('never_registered_component', { interval: 0.1, onError: (e) => errors.push(e) });
    await waitFor(() => loop.failed >= 2 && errors.length >= 2, { message: 'two failed heartbeats' });
    await Promise.all([loop.stop(), withErrors.stop()]);
    assert.equal(loop.sent, 0);
    assert.ok(loop.lastError instanceof TektonApiError);
    assert.equal(errors[0].code, 1001);
    assert.throws(() => client.startHeartbeat('x', { interval: 0 }), RangeError);
  });

  test('startComponent, getComponentLogs, getComponentResources and stopComponent on a supervised process', async () => {
    const id = uniqueId('proc');
    launched.push(id);
    await client.registerComponent(
      registration(id, {
        launch: {
          command: '/bin/sh',
          args: ['-c', 'echo hello-from-the-js-sdk; exec sleep 120'],
          restart: 'no',
          stop_timeout: 5,
        },
      }),
    );
    const started = await client.startComponent(id, { wait: true, dependencyTimeout: 5 });
    assert.equal(started.success, true);
    assert.equal(started.message, 'Component started');
    assert.match(started.instance_uuid, UUID);
    const again = await client.startComponent(id);
    assert.equal(again.message, 'Component already running');

    const logs = await waitFor(async () => {
      const answer = await client.getComponentLogs(id, { tail: 10 });
      return answer.lines.includes('hello-from-the-js-sdk') && answer;
    }, { message: 'the log line' });
    assert.equal(logs.component_id, id);
    assert.equal(logs.instance_uuid, started.instance_uuid);
    const byInstance = await client.getComponentLogs(id, { instanceUuid: started.instance_uuid, tail: 1 });
    assert.equal(byInstance.lines.length, 1);
    await rejectsWith(client.getComponentLogs(id, { tail: 0 }), 400, 1000);

    const usage = await waitFor(async () => {
      const answer = await client.getComponentResources(id);
      return answer.sources.memory === 'measured' && answer;
    }, { message: 'a measurement of the process' });
    assert.equal(usage.component_id, id);
    assert.ok(usage.resource_usage.memory.rss > 0);
    assert.equal(usage.instances[0].instance_uuid, started.instance_uuid);

    const details = await client.getComponent(id);
    assert.equal(details.launch.command, '/bin/sh');
    assert.equal(typeof details.instances[0].pid, 'number');

    const stopped = await client.stopComponent(id, { timeout: 5 });
    assert.deepEqual(stopped, { success: true, message: 'Component stopped successfully' });
    const status = await client.getComponentStatus(id);
    assert.equal(status.status, 'stopped');
    const nothing = await client.stopComponent(id);
    assert.equal(nothing.message, 'Component already stopped');
  });

  test('startComponent errors: no launch spec 1004, missing dependency 1003', async () => {
    const plain = uniqueId('nolaunch');
    await client.registerComponent(registration(plain));
    await rejectsWith(client.startComponent(plain), 409, 1004);
    const lonely = uniqueId('lonely');
    await client.registerComponent(registration(lonely, { dependencies: ['ghost_dep'], launch: { command: '/bin/true' } }));
    const error = await rejectsWith(client.startComponent(lonely), 409, 1003);
    assert.deepEqual(error.problem.missing_dependencies, [`ghost_dep (needed by ${lonely})`]);
    await rejectsWith(client.startComponent(plain, { dependencyTimeout: 99999 }), 400, 1000);
  });

  test('waitForSignal: the shutdown signal of a stop, null when none comes', async () => {
    const id = uniqueId('signal');
    const { instance_uuid } = await client.registerComponent(registration(id));
    await client.sendHeartbeat(id, { status: 'ready' });
    assert.equal(await client.waitForSignal(id, instance_uuid, 0), null);
    const started = Date.now();
    assert.equal(await client.waitForSignal(id, instance_uuid, 1), null);
    assert.ok(Date.now() - started >= 900, 'the long poll waited');

    const stopping = client.stopComponent(id, { instance_uuid, timeout: 20 });
    const signal = await client.waitForSignal(id, instance_uuid, 10);
    assert.equal(signal.signal, 'shutdown');
    assert.equal(signal.force, false);
    assert.equal(signal.timeout, 20);
    assert.equal(typeof signal.requested_at, 'string');
    await client.changeInstanceState(id, instance_uuid, 'stopped', 'shut down by the test');
    assert.deepEqual(await stopping, { success: true, message: 'Component stopped successfully' });
  });

  test('stopComponent: 504/1006 is not retried', async () => {
    const id = uniqueId('slowstop');
    const { instance_uuid } = await client.registerComponent(registration(id));
    await client.sendHeartbeat(id, { status: 'ready' });
    const started = Date.now();
    const error = await rejectsWith(client.stopComponent(id, { timeout: 1 }), 504, 1006);
    assert.ok(Date.now() - started < 5000, `answered once, after ${Date.now() - started} ms`);
    assert.match(error.detail, /stopped|timeout|within/i);
    assert.equal((await client.getComponentStatus(id)).status, 'stopping');
    await client.changeInstanceState(id, instance_uuid, 'stopped');
  });

  test('stopComponent: running dependents block a stop (1003) unless cascade', async () => {
    const base = uniqueId('base');
    const top = uniqueId('top');
    const baseUuid = (await client.registerComponent(registration(base))).instance_uuid;
    const topUuid = (await client.registerComponent(registration(top, { dependencies: [base] }))).instance_uuid;
    await client.sendHeartbeat(base, { status: 'ready' });
    await client.changeInstanceState(top, topUuid, 'ready');
    const error = await rejectsWith(client.stopComponent(base, { timeout: 1 }), 409, 1003);
    assert.deepEqual(error.problem.running_dependents, [top]);
    const answers = [client.stopComponent(base, { cascade: true, force: true })];
    assert.equal((await answers[0]).success, true);
    assert.equal((await client.getComponentStatus(top)).status, 'stopped');
    assert.equal((await client.getComponent(base)).instances[0].instance_uuid, baseUuid);
  });
});

describe('dependencies', () => {
  test('getDependencyGraph and getComponentDependencies', async () => {
    const hermes = uniqueId('hermes');
    const engram = uniqueId('engram');
    const rhetor = uniqueId('rhetor');
    await client.registerComponent(registration(hermes));
    await client.registerComponent(registration(engram, { dependencies: [hermes] }));
    await client.registerComponent(registration(rhetor, { dependencies: [hermes, engram] }));
    const graph = await client.getDependencyGraph();
    assert.deepEqual(graph.dependencies[rhetor], [hermes, engram]);
    const order = graph.startup_order;
    assert.ok(order.indexOf(hermes) < order.indexOf(engram) && order.indexOf(engram) < order.indexOf(rhetor));
    assert.ok(Array.isArray(graph.circular_dependencies));
    assert.equal(typeof graph.missing_dependencies, 'object');

    const deps = await client.getComponentDependencies(engram);
    assert.deepEqual(deps, { component_id: engram, depends_on: [hermes], dependent_components: [rhetor] });
  });

  test('a cycle: a warning at registration, 1005 at start', async () => {
    const a = uniqueId('cyca');
    const b = uniqueId('cycb');
    await client.registerComponent(registration(a, { dependencies: [b], launch: { command: '/bin/true' } }));
    const result = await client.registerComponent(registration(b, { dependencies: [a] }));
    assert.deepEqual(result.warnings, [`circular dependency: ${b} -> ${a} -> ${b}`]);
    const error = await rejectsWith(client.startComponent(a), 409, 1005);
    assert.ok(Array.isArray(error.problem.cycle));
    const graph = await client.getDependencyGraph();
    assert.ok(graph.circular_dependencies.some((cycle) => cycle.includes(a) && cycle.includes(b)));
  });
});

describe('resources', () => {
  test('getSystemResources', async () => {
    const resources = await client.getSystemResources();
    assert.ok(resources.cpu.cores >= 1);
    assert.ok(Array.isArray(resources.cpu.per_core));
    assert.ok(resources.memory.total > 0);
    assert.ok(resources.disk.total > 0);
    assert.ok(Array.isArray(resources.gpu));
    assert.equal(typeof resources.timestamp, 'string');
  });

  test('getResourceHistory', async () => {
    const history = await waitFor(async () => {
      const answer = await client.getResourceHistory(1);
      return answer.samples.length > 0 && answer;
    }, { message: 'a resource sample' });
    assert.equal(history.minutes, 1);
    assert.equal(typeof history.interval, 'number');
    assert.ok(history.samples[0].cpu);
    const everything = await client.getResourceHistory();
    assert.ok(everything.minutes >= 1);
    await rejectsWith(client.getResourceHistory(0), 400, 1000);
  });

  test('reportResources and getComponentResources', async () => {
    const id = uniqueId('res');
    const { instance_uuid } = await client.registerComponent(registration(id));
    const usage = {
      instance_uuid,
      cpu_percent: 25.3,
      memory: { rss: 512, vms: 1024, percent: 12.5 },
      gpu: { id: 0, memory_used: 2.1 },
      network: { bytes_sent: 1024000, bytes_recv: 2048000 },
      disk_io: { read_bytes: 10485760, write_bytes: 5242880 },
    };
    assert.deepEqual(await client.reportResources(id, usage), { success: true, message: 'Resource usage recorded' });
    const answer = await client.getComponentResources(id);
    assert.equal(answer.component_id, id);
    assert.equal(answer.resource_usage.cpu_percent, 25.3);
    assert.deepEqual(answer.resource_usage.network, { bytes_sent: 1024000, bytes_recv: 2048000 });
    assert.equal(answer.sources.network, 'reported');
    assert.equal(typeof answer.reported_at, 'string');
    await rejectsWith(client.reportResources(id, { cpu_percent: -1 }), 400, 1000);
  });
});

describe('models and routing', () => {
  test('addModel, getModel, listModels, putModel, deleteModel (an id with a slash)', async () => {
    const model = {
      id: 'local/qwen2:7b',
      provider: 'vllm',
      capabilities: ['text_generation', 'reasoning'],
      tier: 2,
      context_window: 32768,
      endpoint: 'http://127.0.0.1:9000/v1',
      priority: 1,
      cost_per_1k_tokens: 0,
    };
    const added = await client.addModel(model);
    assert.equal(added.id, model.id);
    assert.equal(added.status, 'available');
    assert.equal(added.source, 'api');

    const read = await client.getModel(model.id);
    assert.equal(read.context_window, 32768);
    const listed = await client.listModels({ provider: 'vllm' });
    assert.ok(listed.models.some((m) => m.id === model.id));
    const none = await client.listModels({ provider: 'vllm', status: 'unavailable' });
    assert.ok(!none.models.some((m) => m.id === model.id));

    const replaced = await client.putModel(model.id, { ...model, tier: 3 });
    assert.equal(replaced.tier, 3);
    assert.equal((await client.getModel(model.id)).tier, 3);

    const capabilities = await client.getCapabilities();
    const reasoning = capabilities.capabilities.find((c) => c.id === 'reasoning');
    assert.ok(reasoning.supported_models.includes(model.id));
    assert.equal(typeof reasoning.description, 'string');

    const removed = await client.deleteModel(model.id);
    assert.equal(removed.success, true);
    await rejectsWith(client.getModel(model.id), 404, 1000);
    await rejectsWith(client.addModel({ id: 'x', provider: 'p', capabilities: [], tier: 9, context_window: 1 }), 400, 1000);
  });

  test('routeTask: a selection, 404/1009 when nothing fits, 503/1010 (not retried) when nothing is available', async () => {
    await client.addModel({ id: 'js-coder-large', provider: 'vllm', capabilities: ['js_code_generation', 'code_analysis'], tier: 3, context_window: 100000 });
    await client.addModel({ id: 'js-coder-small', provider: 'ollama', capabilities: ['js_code_generation'], tier: 2, context_window: 8000 });
    const route = await client.routeTask({
      task_type: 'js_code_generation',
      complexity: 'high',
      context_length: 5000,
      requirements: { capabilities: ['code_analysis'], min_tier: 2 },
      fallback: true,
    });
    assert.equal(route.selected_model, 'js-coder-large');
    assert.equal(route.provider, 'vllm');
    assert.deepEqual(route.selection_criteria, {
      complexity_match: true,
      context_window_sufficient: true,
      capability_match: true,
      tier_match: true,
    });
    assert.deepEqual(route.fallback_models, []);
    const simple = await client.routeTask({ task_type: 'js_code_generation', complexity: 'medium' });
    assert.equal(simple.selected_model, 'js-coder-small');
    assert.deepEqual(simple.fallback_models, ['js-coder-large']);

    const notFound = await rejectsWith(client.routeTask({ task_type: 'js_no_such_capability' }), 404, 1009);
    assert.ok(Array.isArray(notFound.problem.ruled_out));

    await client.addModel({ id: 'js-offline', provider: 'vllm', capabilities: ['js_offline_only'], tier: 1, context_window: 1000, status: 'unavailable' });
    const started = Date.now();
    const unavailable = await rejectsWith(client.routeTask({ task_type: 'js_offline_only' }), 503, 1010);
    assert.ok(Date.now() - started < 3000, 'not retried');
    assert.equal(unavailable.retryAfter, 30);
    assert.deepEqual(unavailable.problem.unavailable, ['js-offline']);
  });
});

describe('keys with auth off (every request is the local Admin)', () => {
  test('createApiKey, listApiKeys, issueToken, revokeApiKey, getAuditTrail', async () => {
    const created = await client.createApiKey({ name: 'js-monitor', role: 'monitor' });
    assert.match(created.api_key, /^tk_/);
    assert.equal(created.role, 'monitor');
    const keys = await client.listApiKeys();
    const listed = keys.keys.find((k) => k.id === created.id);
    assert.equal(listed.prefix, created.api_key.slice(0, 11));
    const token = await client.issueToken(created.api_key);
    assert.equal(token.token_type, 'Bearer');
    assert.equal(token.role, 'monitor');
    assert.deepEqual(await client.revokeApiKey(created.id), { success: true, message: 'API key revoked' });
    await rejectsWith(client.revokeApiKey(created.id), 404, 1000);
    const audit = await client.getAuditTrail({ limit: 5 });
    assert.ok(Array.isArray(audit.entries));
    await assert.rejects(new TektonClient({ baseUrl: tekton.url, apiKey: null }).issueToken(), TypeError);
  });
});

describe('client options', () => {
  test('host/port, baseUrl, TEKTON_URL and TEKTON_API_KEY', async () => {
    const saved = { url: process.env.TEKTON_URL, key: process.env.TEKTON_API_KEY };
    try {
      process.env.TEKTON_URL = tekton.url;
      process.env.TEKTON_API_KEY = 'tk_from-the-environment';
      const fromEnv = new TektonClient();
      assert.equal(fromEnv.baseUrl, `${tekton.url}/`);
      assert.equal(fromEnv.apiKey, 'tk_from-the-environment');
      assert.equal((await fromEnv.getVersion()).api_version, 'v1');
      assert.equal(new TektonClient({ apiKey: null }).apiKey, null);
      assert.equal(new TektonClient({ port: 9999 }).baseUrl, 'http://localhost:9999/');
      assert.equal(new TektonClient({ host: '::1', port: 1 }).baseUrl, 'http://[::1]:1/');
      assert.equal(new TektonClient({ baseUrl: 'https://tekton.example.com/base' }).baseUrl, 'https://tekton.example.com/base/');
      delete process.env.TEKTON_URL;
      delete process.env.TEKTON_API_KEY;
      const plain = new TektonClient();
      assert.equal(plain.baseUrl, 'http://localhost:8010/');
      assert.equal(plain.apiKey, null);
    } finally {
      for (const [name, value] of [['TEKTON_URL', saved.url], ['TEKTON_API_KEY', saved.key]]) {
        if (value === undefined) {
          delete process.env[name];
        } else {
          process.env[name] = value;
        }
      }
    }
  });

  test('a signal aborts a call, a long poll included', async () => {
    const id = uniqueId('abort');
    const { instance_uuid } = await client.registerComponent(registration(id));
    const started = Date.now();
    await assert.rejects(client.waitForSignal(id, instance_uuid, 30, { signal: AbortSignal.timeout(200) }), { name: 'TimeoutError' });
    assert.ok(Date.now() - started < 5000);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(client.getVersion({ signal: controller.signal }), { name: 'AbortError' });
  });

  test('a server that is not there is a TektonConnectionError', async () => {
    const nobody = new TektonClient({ host: '127.0.0.1', port: await freePort(), retry: { maxAttempts: 2, baseDelayMs: 1 } });
    await assert.rejects(nobody.getVersion(), (error) => {
      assert.ok(error instanceof TektonConnectionError);
      assert.match(error.message, /could not be reached \(GET \/api\/tekton\/version\): fetch failed \(connect ECONNREFUSED/);
      return true;
    });
  });
});
