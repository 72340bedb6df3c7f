// Starts a real Tekton server process for the tests: a free port, a temporary data folder, the log line that
// says it listens. Every process started here is stopped by stop() (and, as a last resort, when the test
// process exits).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = process.env.TEKTON_REPO_ROOT ?? resolve(here, '../../../..');
export const binDir = join(repoRoot, 'src/Tekton.Web/bin/Debug/net10.0');
export const serverDll = join(binDir, 'Tekton.Web.dll');
export const BOOTSTRAP_ADMIN_KEY = 'tk_test-bootstrap-admin-key-0123456789abcdef';

const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A port nobody listens on now. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts Tekton. `auth: true` turns authentication on with the bootstrap Admin key above.
 * Returns {url, port, dataDir, child, output(), kill(signal), restart(), stop()}.
 */
export async function startTekton({ auth = false, startTimeoutMs = 90_000 } = {}) {
  if (!existsSync(serverDll)) {
    throw new Error(`${serverDll} is missing: build it first (dotnet build src/Tekton.Web).`);
  }
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tekton-js-'));
  const tekton = {
    port,
    url: `http://127.0.0.1:${port}`,
    dataDir,
    child: null,
    log: [],
    output() {
      return this.log.join('');
    },
    async launch() {
      this.child = await launch({ port, dataDir, auth, log: this.log, startTimeoutMs });
    },
    /** Sends `signal` and waits for the process to end (SIGKILL after 10 s). */
    async kill(signal = 'SIGTERM') {
      const child = this.child;
      if (!child) {
        return;
      }
      this.child = null;
      await terminate(child, signal);
    },
    /** Starts the server again on the same port and the same database. */
    async restart() {
      await this.kill('SIGTERM');
      await this.launch();
    },
    async stop() {
      await this.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await tekton.launch();
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return tekton;
}

async function launch({ port, dataDir, auth, log, startTimeoutMs }) {
  const args = [
    serverDll,
    '--urls',
    `http://127.0.0.1:${port}`,
    `--Tekton:Database:ConnectionString=Data Source=${join(dataDir, 'tekton.db')}`,
  ];
  const env = {
    ...process.env,
    ASPNETCORE_ENVIRONMENT: 'Production',
    Logging__LogLevel__Default: 'Warning',
    'Logging__LogLevel__Microsoft.Hosting.Lifetime': 'Information',
    DOTNET_CLI_TELEMETRY_OPTOUT: '1',
    DOTNET_NOLOGO: '1',
  };
  delete env.TEKTON_API_KEY;
  delete env.TEKTON_URL;
  if (auth) {
    args.push('--Tekton:Auth:Enabled=true');
    env.TEKTON_BOOTSTRAP_ADMIN_KEY = BOOTSTRAP_ADMIN_KEY;
  } else {
    delete env.TEKTON_BOOTSTRAP_ADMIN_KEY;
  }
  const child = spawn('dotnet', args, { cwd: binDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const listening = `Now listening on: http://127.0.0.1:${port}`;
  await new Promise((resolveStart, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`Tekton did not listen within ${startTimeoutMs / 1000} s.`)), startTimeoutMs);
    const onData = (chunk) => {
      const text = chunk.toString();
      log.push(text);
      if (log.length > 400) {
        log.splice(0, log.length - 400);
      }
      seen = (seen + text).slice(-4096);
      if (seen.includes(listening)) {
        done();
      }
    };
    const onExit = (code, signal) => fail(new Error(`Tekton exited (${code ?? signal}) before it listened.`));
    const done = () => {
      clearTimeout(timer);
      child.off('exit', onExit);
      resolveStart();
    };
    const fail = (error) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n--- output ---\n${log.join('').slice(-4000)}`));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', onExit);
  });
  return child;
}

function terminate(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit();
    });
    child.kill(signal);
  });
}

/** Polls `condition` until it returns a truthy value (which is returned), or fails after `timeoutMs`. */
export async function waitFor(condition, { timeoutMs = 15_000, intervalMs = 50, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await condition();
      if (value) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}${lastError ? `: ${lastError.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A unique component id for a test. */
let counter = 0;
export function uniqueId(prefix = 'c') {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

/** A registration with the required fields. */
export function registration(componentId, extra = {}) {
  return {
    component_id: componentId,
    component_name: `${componentId} (test)`,
    component_type: 'service',
    version: '1.0.0',
    ...extra,
  };
}

/**
 * A TCP proxy to 127.0.0.1:`targetPort` that can cut every connection (`cut()`) and refuse new ones while
 * closed (`close()`/`open()`), to drop sockets or hold a client off without touching Tekton.
 */
export async function startGate(targetPort) {
  const { createServer: createTcpServer, connect } = await import('node:net');
  const sockets = new Set();
  let accepting = true;
  const server = createTcpServer((inbound) => {
    inbound.on('error', () => {});
    if (!accepting) {
      inbound.destroy();
      return;
    }
    const outbound = connect(targetPort, '127.0.0.1');
    outbound.on('error', () => inbound.destroy());
    inbound.pipe(outbound).pipe(inbound);
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('close', () => {
        sockets.delete(socket);
        (socket === inbound ? outbound : inbound).destroy();
      });
    }
  });
  await new Promise((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return {
    port: server.address().port,
    cut() {
      for (const socket of sockets) {
        socket.destroy();
      }
    },
    close() {
      accepting = false;
      this.cut();
    },
    open() {
      accepting = true;
    },
    async stop() {
      this.close();
      await new Promise((resolveClose) => server.close(resolveClose));
    },
  };
}
