// Live events over the raw WebSocket channels of a real Tekton process, including a restart of that process.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { TektonApiError, TektonClient } from 'tekton-client';
import { freePort, registration, startGate, startTekton, uniqueId, waitFor } from './support/tekton.mjs';

let tekton;
let client;
const open = [];

before(async () => {
  tekton = await startTekton();
  client = new TektonClient({ host: '127.0.0.1', port: tekton.port });
});

after(async () => {
  await Promise.all(open.map((subscription) => subscription.unsubscribe()));
  await tekton?.stop();
});

/** Keeps the subscription for the after hook, in case a test fails before it unsubscribes. */
function track(subscription) {
  open.push(subscription);
  return subscription;
}

function transitions(events) {
  return events.map((e) => `${e.previous_state}->${e.new_state}`);
}

function assertAscending(events) {
  for (let i = 1; i < events.length; i++) {
    assert.ok(events[i].sequence > events[i - 1].sequence, `sequence ${events[i].sequence} after ${events[i - 1].sequence}`);
  }
}

describe('heartbeats', () => {
  test('a heartbeat subscription receives the heartbeats of its component', async () => {
    const id = uniqueId('hb');
    const other = uniqueId('hbother');
    await client.registerComponent(registration(id));
    await client.registerComponent(registration(other));
    const events = [];
    const subscription = track(client.subscribeToHeartbeats(id, (event) => events.push(event)));
    assert.equal(subscription.lastSequence, null);
    const ack = await subscription.ready;
    assert.equal(ack.event, 'subscribed');
    assert.equal(ack.component_id, id);
    assert.equal(typeof ack.latest_sequence, 'number');
    assert.equal(subscription.lastSequence, ack.latest_sequence);
    assert.equal(subscription.connected, true);

    await client.sendHeartbeat(other, { status: 'ready' });
    const beat = await client.sendHeartbeat(id, { status: 'ready', metrics: { cpu_percent: 15.2, active_connections: 5 } });
    await waitFor(() => events.length >= 1, { message: 'the heartbeat event' });
    const [event] = events;
    assert.equal(event.event, 'heartbeat');
    assert.equal(event.component_id, id);
    assert.equal(event.instance_uuid, beat.instance_uuid);
    assert.equal(event.status, 'ready');
    assert.deepEqual(event.metrics, { cpu_percent: 15.2, active_connections: 5 });
    assert.equal(typeof event.timestamp, 'string');
    assert.ok(event.sequence > ack.latest_sequence);
    assert.equal(subscription.lastSequence, event.sequence);
    assert.ok(events.every((e) => e.component_id === id), 'only the subscribed component');

    await subscription.unsubscribe();
    assert.equal(subscription.connected, false);
  });

  test("'all' receives every component's heartbeats; an unsubscribed one receives no more", async () => {
    const a = uniqueId('hba');
    const b = uniqueId('hbb');
    await client.registerComponent(registration(a));
    await client.registerComponent(registration(b));
    const all = [];
    const stopped = [];
    const witness = track(client.subscribeToHeartbeats('all', (event) => all.push(event)));
    const leaving = track(client.subscribeToHeartbeats('all', (event) => stopped.push(event)));
    await Promise.all([witness.ready, leaving.ready]);
    await client.sendHeartbeat(a);
    await waitFor(() => stopped.some((e) => e.component_id === a), { message: "a's heartbeat on both" });
    await leaving.unsubscribe();
    await client.sendHeartbeat(b);
    await waitFor(() => all.some((e) => e.component_id === b), { message: "b's heartbeat on the witness" });
    assert.ok(!stopped.some((e) => e.component_id === b), 'nothing after unsubscribe()');
    assertAscending(all);
    await witness.unsubscribe();
  });
});

describe('state changes', () => {
  test('registration and transitions arrive in order, with ascending sequences', async () => {
    const id = uniqueId('state');
    const events = [];
    const subscription = track(client.subscribeToStateChanges({ componentIds: [id] }, (event) => events.push(event)));
    const ack = await subscription.ready;
    assert.deepEqual(ack.component_types, ['all']);

    const { instance_uuid } = await client.registerComponent(registration(id));
    for (const state of ['initializing', 'ready', 'degraded', 'ready', 'stopping', 'stopped']) {
      await client.changeInstanceState(id, instance_uuid, state, `test: ${state}`);
    }
    await waitFor(() => events.length >= 7, { message: 'seven state changes' });
    assert.deepEqual(transitions(events), [
      'unregistered->registered',
      'registered->initializing',
      'initializing->ready',
      'ready->degraded',
      'degraded->ready',
      'ready->stopping',
      'stopping->stopped',
    ]);
    assertAscending(events);
    assert.ok(events[0].sequence > ack.latest_sequence);
    assert.ok(events.every((e) => e.event === 'state_change' && e.component_id === id && e.metadata.instance_uuid === instance_uuid));
    assert.equal(events[0].metadata.reason, 'registered');
    assert.equal(events[3].metadata.reason, 'test: degraded');

    await client.deregisterComponent(id);
    await waitFor(() => events.length >= 8, { message: 'the deregistration' });
    assert.equal(events[7].new_state, 'unregistered');
    await subscription.unsubscribe();
  });

  test('the simple form subscribeToStateChanges(callback), and a type filter', async () => {
    const plain = uniqueId('simple');
    const typed = uniqueId('typed');
    const everything = [];
    const onlyType = [];
    const all = track(client.subscribeToStateChanges((event) => everything.push(event)));
    const byType = track(client.subscribeToStateChanges({ componentTypes: ['js_typed'] }, (event) => onlyType.push(event)));
    await Promise.all([all.ready, byType.ready]);
    await client.registerComponent(registration(plain));
    await client.registerComponent(registration(typed, { component_type: 'js_typed' }));
    await waitFor(() => everything.some((e) => e.component_id === typed) && onlyType.length >= 1, { message: 'both registrations' });
    assert.ok(everything.some((e) => e.component_id === plain));
    assert.deepEqual(onlyType.map((e) => e.component_id), [typed]);
    await Promise.all([all.unsubscribe(), byType.unsubscribe()]);
  });

  test('sinceSequence replays the retained events first', async () => {
    const id = uniqueId('replay');
    const live = [];
    const first = track(client.subscribeToStateChanges({ componentIds: [id] }, (event) => live.push(event)));
    const { latest_sequence: before } = await first.ready;
    const { instance_uuid } = await client.registerComponent(registration(id));
    await client.changeInstanceState(id, instance_uuid, 'ready');
    await waitFor(() => live.length >= 2, { message: 'two live events' });
    await first.unsubscribe();

    const replayed = [];
    const again = track(client.subscribeToStateChanges({ componentIds: [id] }, (event) => replayed.push(event), { sinceSequence: before }));
    assert.equal(again.lastSequence, before);
    const ack = await again.ready;
    assert.equal(ack.replayed, 2);
    await waitFor(() => replayed.length >= 2, { message: 'the replay' });
    assert.deepEqual(replayed.map((e) => e.sequence), live.map((e) => e.sequence));
    await again.unsubscribe();
  });

  test('a callback that throws is reported to onError and the events go on; async callbacks keep the order', async () => {
    const id = uniqueId('throws');
    const delivered = [];
    const errors = [];
    const subscription = track(
      client.subscribeToStateChanges(
        { componentIds: [id] },
        async (event) => {
          await new Promise((resolve) => setTimeout(resolve, event.new_state === 'registered' ? 50 : 0));
          delivered.push(event);
          if (event.new_state === 'registered') {
            throw new Error('the callback failed');
          }
        },
        { onError: (error) => errors.push(error) },
      ),
    );
    await subscription.ready;
    const { instance_uuid } = await client.registerComponent(registration(id));
    await client.changeInstanceState(id, instance_uuid, 'ready');
    await waitFor(() => delivered.length >= 2, { message: 'both events' });
    assert.deepEqual(transitions(delivered), ['unregistered->registered', 'registered->ready']);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].message, 'the callback failed');
    await subscription.unsubscribe();
  });
});

describe('failures', () => {
  test('a subscription Tekton refuses: ready rejects with the code, onError hears it, the subscription ends', async () => {
    const errors = [];
    const subscription = client.subscribeToStateChanges({ componentTypes: [] }, () => {}, { onError: (error) => errors.push(error) });
    await assert.rejects(subscription.ready, (error) => {
      assert.ok(error instanceof TektonApiError);
      assert.equal(error.code, 1000);
      assert.match(error.message, /component_types/);
      return true;
    });
    assert.equal(errors.length, 1);
    await subscription.unsubscribe();
    assert.equal(subscription.connected, false);
  });

  test('a first connection that fails: ready rejects, no reconnection', async () => {
    const errors = [];
    const disconnects = [];
    const nowhere = new TektonClient({ host: '127.0.0.1', port: await freePort() });
    const subscription = nowhere.subscribeToHeartbeats('all', () => {}, {
      onError: (error) => errors.push(error),
      onDisconnected: (error) => disconnects.push(error),
    });
    await assert.rejects(subscription.ready, /ECONNREFUSED/);
    assert.equal(errors.length, 1);
    assert.equal(disconnects.length, 0);
    assert.equal(subscription.reconnects, 0);
    await subscription.unsubscribe();
  });

  test('the server dropping the connection: the subscription reconnects and resumes', async () => {
    // A proxy in front of Tekton cuts the connection, and holds the client off until the changes are made.
    const gate = await startGate(tekton.port);
    try {
      const viaGate = new TektonClient({ host: '127.0.0.1', port: gate.port });
      const id = uniqueId('drop');
      const events = [];
      const disconnects = [];
      const reconnected = [];
      const subscription = track(
        viaGate.subscribeToStateChanges({ componentIds: [id] }, (event) => events.push(event), {
          onDisconnected: (error) => disconnects.push(error),
          onReconnected: (ack) => reconnected.push(ack),
          maxReconnectDelayMs: 200,
        }),
      );
      await subscription.ready;
      const { instance_uuid } = await client.registerComponent(registration(id));
      await waitFor(() => events.length >= 1, { message: 'the registration' });
      gate.close();
      await waitFor(() => disconnects.length >= 2, { message: 'the disconnection and a refused reconnection' });
      assert.equal(subscription.connected, false);
      // Changes while the subscription is down come back through the replay.
      await client.changeInstanceState(id, instance_uuid, 'ready');
      await client.changeInstanceState(id, instance_uuid, 'degraded');
      gate.open();
      await waitFor(() => events.length >= 3 && subscription.connected, { message: 'the replay after reconnecting' });
      assert.deepEqual(transitions(events), ['unregistered->registered', 'registered->ready', 'ready->degraded']);
      assertAscending(events);
      assert.equal(subscription.reconnects, 1);
      assert.equal(reconnected.length, 1);
      assert.equal(reconnected[0].replayed, 2);
      await subscription.unsubscribe();
    } finally {
      await gate.stop();
    }
  });

  test('a close with a code (1008 "slow consumer") reconnects; an overlapping replay delivers nothing twice', async () => {
    // A fake Tekton closes the way Tekton drops a slow consumer, then replays more than was missed.
    const { WebSocketServer } = await import('ws');
    const fake = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => fake.once('listening', resolve));
    const subscribes = [];
    let connections = 0;
    fake.on('connection', (socket) => {
      connections++;
      const number = connections;
      socket.on('message', (data) => {
        const message = JSON.parse(data.toString());
        subscribes.push(message);
        socket.send(JSON.stringify({ event: 'subscribed', component_id: 'all', latest_sequence: 10, replayed: 0 }));
        if (number === 1) {
          socket.send(JSON.stringify({ event: 'heartbeat', sequence: 11, component_id: 'x', status: 'ready', metrics: {} }));
          socket.send(JSON.stringify({ event: 'heartbeat', sequence: 12, component_id: 'x', status: 'ready', metrics: {} }));
          setTimeout(() => socket.close(1008, 'slow consumer'), 20);
        } else {
          // the replay overlaps what was delivered: duplicates are dropped
          for (const sequence of [12, 13, 11, 14]) {
            socket.send(JSON.stringify({ event: 'heartbeat', sequence, component_id: 'x', status: 'ready', metrics: {} }));
          }
        }
      });
    });
    try {
      const events = [];
      const disconnects = [];
      const c = new TektonClient({ host: '127.0.0.1', port: fake.address().port });
      const subscription = track(c.subscribeToHeartbeats('all', (e) => events.push(e.sequence), { onDisconnected: (e) => disconnects.push(e) }));
      await waitFor(() => events.length >= 4, { message: 'four events' });
      assert.deepEqual(events, [11, 12, 13, 14]);
      assert.deepEqual(subscribes, [
        { action: 'subscribe', component_id: 'all' },
        { action: 'subscribe', component_id: 'all', since_sequence: 12 },
      ]);
      assert.match(disconnects[0].message, /1008: slow consumer/);
      await subscription.unsubscribe();
    } finally {
      for (const socket of fake.clients) {
        socket.terminate();
      }
      await new Promise((resolve) => fake.close(resolve));
    }
  });
  test('a connection on which nothing arrives (no message, no ping) is replaced', async () => {
    const { WebSocketServer } = await import('ws');
    const fake = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => fake.once('listening', resolve));
    const subscribes = [];
    fake.on('connection', (socket) => {
      socket.on('message', (data) => {
        subscribes.push(JSON.parse(data.toString()));
        socket.send(JSON.stringify({ event: 'subscribed', component_id: 'all', latest_sequence: 7 }));
        // then silence: this peer neither sends nor pings, and never closes
      });
    });
    try {
      const disconnects = [];
      const c = new TektonClient({ host: '127.0.0.1', port: fake.address().port });
      const subscription = track(c.subscribeToHeartbeats('all', () => {}, { idleTimeoutMs: 300, onDisconnected: (e) => disconnects.push(e) }));
      await subscription.ready;
      await waitFor(() => subscription.reconnects >= 1, { message: 'a reconnection after the silence' });
      assert.match(disconnects[0].message, /Nothing arrived on the event socket for 0.3 s/);
      assert.deepEqual(subscribes[1], { action: 'subscribe', component_id: 'all', since_sequence: 7 });
      await subscription.unsubscribe();
    } finally {
      for (const socket of fake.clients) {
        socket.terminate();
      }
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});

describe('a Tekton restart', () => {
  test('subscriptions survive SIGKILL and a restart: every state change once, in ascending sequence', async () => {
    const before = uniqueId('before');
    const after = Array.from({ length: 5 }, () => uniqueId('after'));
    const ours = new Set([before, ...after]);
    const states = [];
    const beats = [];
    const resyncs = [];
    const stateDisconnects = [];
    const stateSubscription = track(
      client.subscribeToStateChanges((event) => ours.has(event.component_id) && states.push(event), {
        onDisconnected: (error) => stateDisconnects.push(error),
      }),
    );
    const heartbeatSubscription = track(
      client.subscribeToHeartbeats('all', (event) => ours.has(event.component_id) && beats.push(event), {
        onResyncRequired: (event) => resyncs.push(event),
      }),
    );
    // A second state subscription reaches Tekton through a gate that stays closed until the changes after the
    // restart are made, so its resumption certainly needs the replay.
    const gate = await startGate(tekton.port);
    const gated = [];
    const gatedAcks = [];
    const gatedSubscription = track(
      new TektonClient({ host: '127.0.0.1', port: gate.port }).subscribeToStateChanges(
        (event) => ours.has(event.component_id) && gated.push(event),
        { onReconnected: (ack) => gatedAcks.push(ack), maxReconnectDelayMs: 500 },
      ),
    );
    await Promise.all([stateSubscription.ready, heartbeatSubscription.ready, gatedSubscription.ready]);

    const { instance_uuid } = await client.registerComponent(registration(before));
    await client.sendHeartbeat(before, { instance_uuid, status: 'ready' });
    await waitFor(() => states.length >= 2 && gated.length >= 2 && beats.length >= 1, { message: 'the events before the restart' });

    gate.close();
    await tekton.kill('SIGKILL');
    await waitFor(() => stateDisconnects.length >= 1, { message: 'the subscription noticing' });
    await tekton.launch(); // same port, same database

    // Right after Tekton is back, most likely before the subscriptions reconnect: the replay must carry these.
    for (const id of after) {
      const { instance_uuid: uuid } = await client.registerComponent(registration(id));
      await client.changeInstanceState(id, uuid, 'initializing');
      await client.changeInstanceState(id, uuid, 'ready');
    }
    await waitFor(() => states.length >= 2 + after.length * 3, { timeoutMs: 30_000, message: 'every state change after the restart' });
    gate.open();
    await waitFor(() => gated.length >= 2 + after.length * 3, { timeoutMs: 30_000, message: 'the gated subscription caught up' });
    assert.deepEqual(gated.map((e) => e.sequence), states.map((e) => e.sequence));
    assert.ok(gatedAcks.at(-1).replayed >= after.length * 3, JSON.stringify(gatedAcks));
    await waitFor(() => heartbeatSubscription.connected, { timeoutMs: 30_000, message: 'the heartbeat subscription back' });

    assertAscending(states);
    assert.equal(new Set(states.map((e) => e.sequence)).size, states.length, 'no state change twice');
    assert.equal(states.length, 2 + after.length * 3);
    assert.deepEqual(transitions(states.filter((e) => e.component_id === before)), ['unregistered->registered', 'registered->ready']);
    for (const id of after) {
      assert.deepEqual(transitions(states.filter((e) => e.component_id === id)), [
        'unregistered->registered',
        'registered->initializing',
        'initializing->ready',
      ]);
    }
    assert.ok(stateSubscription.reconnects >= 1);
    assert.ok(heartbeatSubscription.reconnects >= 1);

    // Heartbeats are not stored: resuming across a restart asks for a resync, then live heartbeats flow again.
    assert.equal(resyncs.length, 1);
    assert.equal(resyncs[0].channel, 'heartbeat');
    await client.sendHeartbeat(after[0], { status: 'ready' });
    await waitFor(() => beats.some((e) => e.component_id === after[0]), { message: 'a live heartbeat after the restart' });
    assertAscending(beats);

    await Promise.all([stateSubscription.unsubscribe(), heartbeatSubscription.unsubscribe(), gatedSubscription.unsubscribe()]);
    await gate.stop();
  });
});

describe('the wire', () => {
  test('the subscribe messages have the API names', async () => {
    const { WebSocketServer } = await import('ws');
    const fake = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => fake.once('listening', resolve));
    const received = [];
    const paths = [];
    fake.on('connection', (socket, request) => {
      paths.push(`${request.url} ${request.headers.authorization ?? '-'}`);
      socket.on('message', (data) => {
        received.push(JSON.parse(data.toString()));
        socket.send(JSON.stringify({ event: 'subscribed', latest_sequence: 5 }));
      });
    });
    try {
      const c = new TektonClient({ baseUrl: `http://127.0.0.1:${fake.address().port}/`, apiKey: 'tk_header' });
      const a = c.subscribeToStateChanges({ componentTypes: ['memory', 'llm'], componentIds: ['engram'] }, () => {}, { sinceSequence: 1041 });
      await a.ready;
      const b = c.subscribeToHeartbeats('engram', () => {});
      await b.ready;
      assert.equal(b.lastSequence, 5);
      await Promise.all([a.unsubscribe(), b.unsubscribe()]);
      // A WHATWG WebSocket (what browsers have) cannot send headers: the key goes in ?access_token=.
      const standard = new TektonClient({ baseUrl: `http://127.0.0.1:${fake.address().port}/`, apiKey: 'tk_query', WebSocket });
      const s = standard.subscribeToStateChanges(() => {});
      await s.ready;
      await s.unsubscribe();
      assert.deepEqual(received, [
        { action: 'subscribe', component_types: ['memory', 'llm'], component_ids: ['engram'], since_sequence: 1041 },
        { action: 'subscribe', component_id: 'engram' },
        { action: 'subscribe', component_types: ['all'] },
      ]);
      assert.deepEqual(paths, ['/ws/tekton/state Bearer tk_header', '/ws/tekton/heartbeat Bearer tk_header', '/ws/tekton/state?access_token=tk_query -']);
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});
