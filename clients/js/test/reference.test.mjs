// The published reference's JavaScript SDK example, run as written: only the port is the test server's, and
// the promises it starts are awaited so the test can check what they printed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TektonClient } from 'tekton-client';
import { startTekton, waitFor } from './support/tekton.mjs';

let tekton;

before(async () => {
  tekton = await startTekton();
  // The example reads engram's status, so engram must exist.
  const setup = new TektonClient({ host: 'localhost', port: tekton.port });
  await setup.registerComponent({
    component_id: 'engram',
    component_name: 'Engram Memory Service',
    component_type: 'memory',
    version: '1.0.0',
    capabilities: ['memory_storage', 'vector_search'],
  });
  await setup.sendHeartbeat('engram', { status: 'ready' });
});

after(async () => {
  await tekton?.stop();
});

test('the reference JavaScript SDK example runs as written', async () => {
  const printed = [];
  const originalLog = console.log;
  console.log = (...args) => printed.push(args.join(' '));
  let subscription;
  let pending;
  try {
    // ---- the reference's example ------------------------------------------------------------------------
    // import { TektonClient } from 'tekton-client';   (at the top of this file)

    // Create a client
    const client = new TektonClient({
      host: 'localhost',
      port: tekton.port, // the reference: 8010
    });

    // Register a component
    const registration = {
      component_id: 'my_frontend',
      component_name: 'My Frontend Component',
      component_type: 'ui',
      version: '1.0.0',
      capabilities: ['user_interface', 'data_visualization'],
      dependencies: ['api_gateway'],
    };

    const registered = client.registerComponent(registration)
      .then(result => {
        console.log(`Component registered: ${result.success}`);
        console.log(`Instance UUID: ${result.instance_uuid}`);
      });

    // Get component status
    const statusRead = client.getComponentStatus('engram')
      .then(status => {
        console.log(`Engram status: ${status.status}`);
      });

    // Subscribe to heartbeat events
    subscription = client.subscribeToHeartbeats('all', event => {
      console.log(`Heartbeat from ${event.component_id}: ${event.status}`);
    });

    // Unsubscribe when done
    subscription.unsubscribe();
    // ---- end of the example -----------------------------------------------------------------------------
    pending = Promise.all([registered, statusRead]);
    await pending;
  } finally {
    console.log = originalLog;
  }

  assert.ok(printed.includes('Component registered: true'), printed.join('\n'));
  assert.ok(printed.some((line) => /^Instance UUID: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(line)), printed.join('\n'));
  assert.ok(printed.includes('Engram status: ready'), printed.join('\n'));
  // Unsubscribed at once: the subscription never confirmed, closes cleanly, and delivered nothing.
  await subscription.unsubscribe();
  await assert.rejects(subscription.ready, { name: 'AbortError' });
  assert.equal(subscription.connected, false);
  assert.ok(!printed.some((line) => line.startsWith('Heartbeat from')));

  // What the example registered is there, with the warning about the dependency nobody registered.
  const client = new TektonClient({ host: 'localhost', port: tekton.port });
  const details = await client.getComponent('my_frontend');
  assert.equal(details.component_type, 'ui');
  assert.deepEqual(details.dependencies, ['api_gateway']);
  const graph = await client.getDependencyGraph();
  assert.deepEqual(graph.missing_dependencies, { my_frontend: ['api_gateway'] });
});

test('the example subscription, left open, receives heartbeats', async () => {
  const client = new TektonClient({ host: 'localhost', port: tekton.port });
  const seen = [];
  const subscription = client.subscribeToHeartbeats('all', (event) => {
    seen.push(`Heartbeat from ${event.component_id}: ${event.status}`);
  });
  try {
    await subscription.ready;
    await client.sendHeartbeat('engram', { status: 'ready' });
    await waitFor(() => seen.length > 0, { message: 'the heartbeat event' });
    assert.deepEqual(seen, ['Heartbeat from engram: ready']);
  } finally {
    await subscription.unsubscribe();
  }
});
