using System.Diagnostics;
using System.Text.RegularExpressions;
using Tekton.Client;

namespace Tekton.Cli.Tests.Support;

/// <summary>
/// Tekton.Web as a real process on 127.0.0.1 and a free port, with its database and logs in a temporary folder.
/// The port is read from Kestrel's "Now listening on" line. Disposing kills it (with what it launched) and
/// deletes the folder.
/// </summary>
public sealed partial class TektonServer : IAsyncDisposable
{
    public const string BootstrapAdminKey = "tk_test-bootstrap-admin-key-0123456789abcdef";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly string _folder;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private TektonServer(bool auth)
    {
        _folder = Directory.CreateTempSubdirectory("tekton-cli-tests-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Repository.WebOutput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(Repository.WebOutput, "Tekton.Web.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.ArgumentList.Add($"--Tekton:Database:ConnectionString=Data Source={Path.Combine(_folder, "tekton.db")}");
        start.ArgumentList.Add("--Tekton:Ollama:Enabled=false");
        start.Environment.Remove(TektonClientOptions.UrlVariable);
        start.Environment.Remove(TektonClientOptions.ApiKeyVariable);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        if (auth)
        {
            start.ArgumentList.Add("--Tekton:Auth:Enabled=true");
            start.Environment["TEKTON_BOOTSTRAP_ADMIN_KEY"] = BootstrapAdminKey;
        }

        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Observe(e.Data);
        _process.ErrorDataReceived += (_, e) => Observe(e.Data);
        _process.Exited += (_, _) => _listening.TrySetException(new InvalidOperationException("Tekton exited before listening:\n" + Output));
    }

    /// <summary>Where it answers, such as http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>What it wrote, for failure messages.</summary>
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

    /// <summary>Starts Tekton, with auth on (and <see cref="BootstrapAdminKey"/> as its Admin key) when <paramref name="auth"/>.</summary>
    public static async Task<TektonServer> StartAsync(bool auth = false)
    {
        var server = new TektonServer(auth);
        try
        {
            server._process.Start();
            server._process.BeginOutputReadLine();
            server._process.BeginErrorReadLine();
            server.BaseAddress = await server._listening.Task.WaitAsync(StartTimeout);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of this Tekton, to arrange what a test needs without the CLI.</summary>
    public TektonClient Client(string? apiKey = null) => new(new TektonClientOptions { BaseAddress = BaseAddress, ApiKey = apiKey });

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private void Observe(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value + "/"));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
