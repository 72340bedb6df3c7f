using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace Tekton.Cluster.Tests.Support;

/// <summary>
/// A PostgreSQL server of its own: initdb into a temporary folder, then <c>postgres</c> as a child process of the
/// test (not detached by <c>pg_ctl start</c>), listening on 127.0.0.1 and a free port only, stopped (immediate
/// shutdown, else killed) and deleted on dispose. PostgreSQL refuses to run as root, so as root the server runs as
/// the <c>postgres</c> account the Debian package creates.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _folder;
    private readonly string _bin;
    private readonly string? _runAs;
    private readonly List<string> _output = [];
    private Process? _process;

    private PostgresServer(string folder, string bin, string? runAs, int port)
    {
        _folder = folder;
        _bin = bin;
        _runAs = runAs;
        Port = port;
    }

    public int Port { get; private set; }

    /// <summary>An Npgsql connection string for <paramref name="database"/> on this server.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=tekton;Password=tekton;Pooling=true;Timeout=15";

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBin() ?? throw new InvalidOperationException(
            "PostgreSQL's initdb and postgres are not installed: the cluster tests need them (apt-get install postgresql; build/test.sh installs it).");
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        var folder = Command.ServerFolder("pg");
        var server = new PostgresServer(folder, bin, runAs, TektonServerProcess.FreePort());
        try
        {
            var passwordFile = Path.Combine(folder, "password");
            await File.WriteAllTextAsync(passwordFile, "tekton\n");
            if (runAs is not null)
            {
                await Command.RunAsync("chown", ["-R", runAs, folder]);
                await Command.RunAsync("chmod", ["755", folder]);
            }

            var data = Path.Combine(folder, "data");
            await server.AsOwnerAsync("initdb", ["-D", data, "-U", "tekton", "--pwfile", passwordFile, "-A", "scram-sha-256", "-E", "UTF8", "--no-sync"]);

            // A port found free can be taken by another test's server before this one binds it: then again, on another.
            for (var attempt = 1; ; attempt++)
            {
                server.Launch([
                    "-D", data, "-c", "listen_addresses=127.0.0.1", "-c", $"port={server.Port}", "-c", $"unix_socket_directories={folder}",
                    "-c", "max_connections=200", "-c", "fsync=off"]);
                try
                {
                    await server.WaitUntilAcceptingAsync(data, TimeSpan.FromSeconds(60));
                    return server;
                }
                catch (InvalidOperationException exception) when (attempt < 3
                    && (server.Output.Contains("already in use", StringComparison.OrdinalIgnoreCase) || exception.Message.StartsWith("Another PostgreSQL", StringComparison.Ordinal)))
                {
                    await server.StopProcessAsync();
                    server.Port = TektonServerProcess.FreePort();
                }
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        await StopProcessAsync();

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StopProcessAsync()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            await AsOwnerAsync("pg_ctl", ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "-t", "20", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Not started, or already gone: the kill below makes sure.
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
        _process = null;
    }

    /// <summary>The postmaster as this process's child (setpriv execs, so no process stands between them), its output kept for failures.</summary>
    private void Launch(IReadOnlyList<string> arguments)
    {
        var postgres = Path.Combine(_bin, "postgres");
        var start = new ProcessStartInfo(_runAs is null ? postgres : "setpriv")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder,
        };
        IEnumerable<string> all = _runAs is null ? arguments : ["--reuid", _runAs, "--regid", _runAs, "--init-groups", "--", postgres, .. arguments];
        foreach (var argument in all)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        void Keep(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.Add(line);
                }
            }
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>Until this server answers on its port: a server that answers from another data folder is another test's.</summary>
    private async Task WaitUntilAcceptingAsync(string data, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SHOW data_directory", connection);
                if (await command.ExecuteScalarAsync() is string answering && answering != data)
                {
                    throw new InvalidOperationException($"Another PostgreSQL ({answering}) answers on 127.0.0.1:{Port}; this one's output:\n{Output}");
                }

                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline && !_process!.HasExited)
            {
                await Task.Delay(100);
            }
            catch (NpgsqlException exception)
            {
                throw new InvalidOperationException($"PostgreSQL did not accept connections on 127.0.0.1:{Port}:\n{Output}", exception);
            }
        }
    }

    private Task AsOwnerAsync(string program, IReadOnlyList<string> arguments) =>
        _runAs is null
            ? Command.RunAsync(Path.Combine(_bin, program), arguments)
            : Command.RunAsync("runuser", ["-u", _runAs, "--", Path.Combine(_bin, program), .. arguments]);

    private static string? FindBin()
    {
        var candidates = new List<string>();
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries));
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")));
        }

        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "postgres")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }
}

/// <summary>A redis-server of its own on 127.0.0.1 and a free port, in a temporary folder, without persistence; killed on dispose.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private RedisServer(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var program = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not installed: the cluster tests need it (apt-get install redis-server; build/test.sh installs it).");
        var folder = Command.ServerFolder("redis");

        // A port found free can be taken by another test's server before this one binds it: then again, on another.
        // Ready is when this server says so: a connection to the port alone could reach another test's server.
        for (var attempt = 1; ; attempt++)
        {
            var port = TektonServerProcess.FreePort();
            var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
            foreach (var argument in new[] { "--bind", "127.0.0.1", "--port", port.ToString(), "--dir", folder, "--save", "", "--appendonly", "no", "--protected-mode", "yes" })
            {
                start.ArgumentList.Add(argument);
            }

            var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            void Keep(string? line)
            {
                if (line is null)
                {
                    return;
                }

                output.Enqueue(line);
                if (line.Contains("Ready to accept connections", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }

            process.OutputDataReceived += (_, e) => Keep(e.Data);
            process.ErrorDataReceived += (_, e) => Keep(e.Data);
            process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("redis-server exited."));
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new RedisServer(process, folder, port);
            try
            {
                await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
                return server;
            }
            catch (Exception exception) when (exception is InvalidOperationException or TimeoutException)
            {
                await server.StopProcessAsync();
                var said = string.Join('\n', output);
                if (attempt < 3 && said.Contains("already in use", StringComparison.OrdinalIgnoreCase))
                {
                    process.Dispose();
                    continue;
                }

                await server.DisposeAsync();
                throw new InvalidOperationException($"redis-server did not start on 127.0.0.1:{port}:\n{said}", exception);
            }
        }
    }

    private async Task StopProcessAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopProcessAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class Command
{
    /// <summary>
    /// A temporary folder for a server, named after build/test.sh's run (<c>TEKTON_TEST_RUN</c>) when there is
    /// one, so that the script can stop what a crashed test host left running in it, and nothing of other runs.
    /// </summary>
    public static string ServerFolder(string kind) =>
        Directory.CreateTempSubdirectory(Environment.GetEnvironmentVariable("TEKTON_TEST_RUN") is { Length: > 0 } run
            ? $"tekton-cluster-{kind}-{run}-"
            : $"tekton-cluster-{kind}-").FullName;

    public static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await error}");
        }
    }
}
