// Compiled (not run) by `npm run typecheck`: the published typings accept the reference's example and the
// documented calls, and reject what they should.
import {
  TektonApiError,
  TektonClient,
  type ComponentRegistration,
  type HeartbeatEvent,
  type StateChangeEvent,
  type Subscription,
} from 'tekton-client';

// The reference's example, as written.
const client = new TektonClient({
  host: 'localhost',
  port: 8010,
});

const registration: ComponentRegistration = {
  component_id: 'my_frontend',
  component_name: 'My Frontend Component',
  component_type: 'ui',
  version: '1.0.0',
  capabilities: ['user_interface', 'data_visualization'],
  dependencies: ['api_gateway'],
};

client.registerComponent(registration)
  .then(result => {
    console.log(`Component registered: ${result.success}`);
    console.log(`Instance UUID: ${result.instance_uuid}`);
  });

client.getComponentStatus('engram')
  .then(status => {
    console.log(`Engram status: ${status.status}`);
  });

const subscription = client.subscribeToHeartbeats('all', event => {
  console.log(`Heartbeat from ${event.component_id}: ${event.status}`);
});

subscription.unsubscribe();

// The rest of the surface.
async function rest(): Promise<void> {
  const state: Subscription = client.subscribeToStateChanges((event: StateChangeEvent) => event.new_state);
  const filtered = client.subscribeToStateChanges({ componentTypes: ['llm'], componentIds: ['rhetor'] }, (event) => {
    const reason: unknown = event.metadata.reason;
    return reason;
  }, { sinceSequence: 10, onResyncRequired: (e) => e.oldest_sequence, onError: () => {} });
  const ack = await filtered.ready;
  const latest: number = ack.latest_sequence;
  const last: number | null = state.lastSequence;
  await Promise.all([state.unsubscribe(), filtered.unsubscribe()]);

  const loop = client.startHeartbeat('my_component', { interval: 10, build: () => ({ status: 'ready', metrics: { cpu_percent: 1 } }) });
  await loop.stop();
  const loop2 = client.startHeartbeat('my_component', 10);
  await loop2.stop();

  const list = await client.listComponents({ status: 'ready', type: 'llm', capability: 'chat' });
  const found = await client.findComponentsByCapability('vector_search');
  const started = await client.startComponent('rhetor', { wait: true, dependencyTimeout: 30 });
  const stopped = await client.stopComponent('rhetor', { instance_uuid: started.instance_uuid, force: false, timeout: 30, cascade: true });
  const logs = await client.getComponentLogs('rhetor', { tail: 10 });
  const signal = await client.waitForSignal('rhetor', started.instance_uuid, 30);
  const route = await client.routeTask({ task_type: 'code_generation', complexity: 'high', context_length: 5000, requirements: { capabilities: ['code_analysis'], min_tier: 2 }, fallback: true });
  const key = await client.createApiKey({ name: 'memory-service', role: 'component', component_id: 'engram' });
  const token = await client.issueToken(key.api_key);
  void [latest, last, list.components[0]?.status, found.length, stopped.message, logs.lines, signal?.signal, route.selected_model, token.access_token];

  try {
    await client.getComponent('ghost');
  } catch (error) {
    if (error instanceof TektonApiError) {
      const code: number = error.code;
      const status: number = error.status;
      const retryAfter: number | null = error.retryAfter;
      void [code, status, retryAfter, error.problem?.detail];
    }
  }

  const heartbeat = (event: HeartbeatEvent): number => event.sequence;
  void heartbeat;

  // @ts-expect-error a state the API does not have
  await client.changeInstanceState('engram', 'uuid', 'sleeping');
  // @ts-expect-error a registration needs a version
  await client.registerComponent({ component_id: 'x', component_name: 'x', component_type: 'x' });
}
void rest;
