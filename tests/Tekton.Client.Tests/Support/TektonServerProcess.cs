using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Tekton.Client.Tests.Support;

/// <summary>
/// Tekton.Web as a real process from its build output, on 127.0.0.1 and a port fixed for its lifetime, so a
/// client keeps its address across <see cref="RestartAsync"/>. The database is a file in a temporary folder.
/// </summary>
public sealed partial class TektonServerProcess : IAsyncDisposable
{
    public const string AdminKey = "tk_test-bootstrap-admin-key-0123456789abcdef";

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

    public string Folder { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

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
        var all = new List<string>(arguments);
        if (auth)
        {
            all.Add("--Tekton:Auth:Enabled=true");
            environment["TEKTON_BOOTSTRAP_ADMIN_KEY"] = AdminKey;
        }

        var server = new TektonServerProcess(FreePort(), folder, [.. all], environment);
        await server.LaunchAsync();
        return server;
    }

    public TektonClient Client(string? apiKey = null) => new(new TektonClientOptions { BaseAddress = BaseAddress, ApiKey = apiKey });

    /// <summary>SIGKILL, like a crash: nothing of Tekton's shutdown runs.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

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

    private async Task LaunchAsync()
    {
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = ServerAssembly();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(server)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(server);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{Port}");
        start.ArgumentList.Add($"--Tekton:Database:ConnectionString=Data Source={Path.Combine(Folder, "tekton.db")}");
        foreach (var argument in _arguments)
        {
            start.ArgumentList.Add(argument);
        }

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
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("Tekton exited before listening:\n" + Output));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Tekton.Web.dll of the same configuration as this test assembly.</summary>
    private static string ServerAssembly()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = directory.Parent!.Name;
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Tekton.sln")))
        {
            directory = directory.Parent;
        }

        var path = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("Tekton.sln not found above the test assembly."),
            "src", "Tekton.Web", "bin", configuration, "net10.0", "Tekton.Web.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build Tekton.Web first.", path);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:\d+")]
    private static partial Regex ListeningLine();
}
