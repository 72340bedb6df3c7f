using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.RegularExpressions;
using Tekton.Client;

namespace Tekton.Tests.Shared;

/// <summary>
/// Tekton.Web as a real process from its build output, on 127.0.0.1 and a port fixed for its lifetime, so a client
/// keeps its address across <see cref="RestartAsync"/>. The database (and the logs beside it) live in a temporary
/// folder; disposing kills the process with what it launched and deletes the folder. Linked into the test projects
/// of the clients (the SDK and the CLI), which talk to Tekton only over the network.
/// </summary>
public sealed partial class TektonServerProcess : IAsyncDisposable
{
    /// <summary>The bootstrap Admin key of a server started with auth on.</summary>
    public const string AdminKey = "tk_test-bootstrap-admin-key-0123456789abcdef";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string[] _arguments;
    private readonly Dictionary<string, string> _environment;
    private readonly List<string> _output = [];
    private Process? _process;

    private TektonServerProcess(int port, string folder, string[] arguments, Dictionary<string, string> environment)
    {
        Port = port;
        Folder = folder;
        _arguments = arguments;
        _environment = environment;
    }

    public int Port { get; }

    /// <summary>The temporary folder with the database (or, on PostgreSQL, the node's data folder).</summary>
    public string Folder { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>What the process wrote, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts Tekton; <paramref name="auth"/> turns authentication on with <see cref="AdminKey"/> as the bootstrap key.</summary>
    public static async Task<TektonServerProcess> StartAsync(bool auth = false, params string[] arguments)
    {
        var folder = Directory.CreateTempSubdirectory("tekton-client-tests-").FullName;
        var environment = new Dictionary<string, string>();
        var all = new List<string>(arguments) { "--Tekton:Ollama:Enabled=false" };
        if (auth)
        {
            all.Add("--Tekton:Auth:Enabled=true");
            environment["TEKTON_BOOTSTRAP_ADMIN_KEY"] = AdminKey;
        }

        // A port found free can be taken by another test's process before Tekton binds it: then again, on another.
        for (var attempt = 1; ; attempt++)
        {
            var server = new TektonServerProcess(FreePort(), folder, [.. all], environment);
            try
            {
                await server.LaunchAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await server.KillAsync();
                server._process?.Dispose();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>A client of this Tekton, to arrange what a test needs.</summary>
    public TektonClient Client(string? apiKey = null) => new(new TektonClientOptions { BaseAddress = BaseAddress, ApiKey = apiKey });

    /// <summary>SIGKILL, like a crash: nothing of Tekton's shutdown runs.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Kills the process and starts it again on the same port and database.</summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        _process?.Dispose();
        await LaunchAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task LaunchAsync()
    {
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = TektonRepository.Output("Tekton.Web", "Tekton.Web.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(output, "Tekton.Web.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{Port}");
        start.ArgumentList.Add($"--Tekton:Database:ConnectionString=Data Source={Path.Combine(Folder, "tekton.db")}");
        // A node on PostgreSQL keeps its own files here too, not in the build output every process shares.
        start.ArgumentList.Add($"--Tekton:Node:DataDirectory={Folder}");
        foreach (var argument in _arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The tests' own environment must not point Tekton (or what it launches) elsewhere.
        start.Environment.Remove(TektonClientOptions.UrlVariable);
        start.Environment.Remove(TektonClientOptions.ApiKeyVariable);
        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void Observe(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.Add(line);
            }

            if (ListeningLine().IsMatch(line))
            {
                listening.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => Observe(e.Data);
        process.ErrorDataReceived += (_, e) => Observe(e.Data);
        process.Exited += (_, _) =>
        {
            // The output is read asynchronously: its end is awaited, so that the message holds Tekton's last words.
            process.WaitForExit();
            listening.TrySetException(new InvalidOperationException("Tekton exited before listening:\n" + Output));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await listening.Task.WaitAsync(StartTimeout);
    }

    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:\d+")]
    private static partial Regex ListeningLine();
}

/// <summary>Where the repository and the build outputs the tests run are.</summary>
public static class TektonRepository
{
    /// <summary>The folder that holds Tekton.sln, found by walking up from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration the tests were built in (Debug or Release); the projects they run were built in the same.</summary>
    public static string Configuration { get; } =
        typeof(TektonRepository).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The output folder of <paramref name="project"/> under src/, which must hold <paramref name="file"/>.</summary>
    public static string Output(string project, string file)
    {
        var folder = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0");
        return File.Exists(Path.Combine(folder, file))
            ? folder
            : throw new InvalidOperationException($"{file} is not in {folder}: build {project} in {Configuration} first.");
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tekton.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Tekton.sln above {AppContext.BaseDirectory}.");
    }
}
