using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Tekton.Web.Tests.Support;

/// <summary>
/// Tekton.Web as a real operating-system process on 127.0.0.1 and a free port, for tests that must kill it.
/// The port is read from Kestrel's "Now listening on" line.
/// </summary>
public sealed partial class TektonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private TektonProcess(string databasePath, IEnumerable<string> extraArguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Tekton.Web.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.ArgumentList.Add($"--Tekton:Database:ConnectionString=Data Source={databasePath}");
        foreach (var argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Observe(e.Data);
        _process.ErrorDataReceived += (_, e) => Observe(e.Data);
        _process.Exited += (_, _) => _listening.TrySetException(new InvalidOperationException("Tekton exited before listening:\n" + Output));
    }

    public Uri BaseAddress { get; private set; } = null!;

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

    public bool HasExited => _process.HasExited;

    public int Pid => _process.Id;

    public int ExitCode => _process.ExitCode;

    public static Task<TektonProcess> StartAsync(string databasePath, params string[] extraArguments) =>
        StartAsync(databasePath, new Dictionary<string, string>(), extraArguments);

    public static async Task<TektonProcess> StartAsync(
        string databasePath, IReadOnlyDictionary<string, string> environment, params string[] extraArguments)
    {
        var tekton = new TektonProcess(databasePath, extraArguments, environment);
        tekton._process.Start();
        tekton._process.BeginOutputReadLine();
        tekton._process.BeginErrorReadLine();
        tekton.BaseAddress = await tekton._listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return tekton;
    }

    /// <summary>Starts the process and waits for it to exit by itself (for configuration that must be refused).</summary>
    public static Task<TektonProcess> RunToExitAsync(string databasePath, params string[] extraArguments) =>
        RunToExitAsync(databasePath, new Dictionary<string, string>(), extraArguments);

    public static async Task<TektonProcess> RunToExitAsync(
        string databasePath, IReadOnlyDictionary<string, string> environment, params string[] extraArguments)
    {
        var tekton = new TektonProcess(databasePath, extraArguments, environment);
        tekton._process.Start();
        tekton._process.BeginOutputReadLine();
        tekton._process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await tekton._process.WaitForExitAsync(timeout.Token);
        return tekton;
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or a power cut of the process.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a service manager stops Tekton: its shutdown code runs. Returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
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
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
