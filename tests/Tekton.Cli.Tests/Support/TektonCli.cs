using System.Diagnostics;
using Tekton.Client;

namespace Tekton.Cli.Tests.Support;

/// <summary>What a finished run of tekton left: its exit code and its output, split into lines.</summary>
public sealed record CliResult(int ExitCode, string StandardOutput, string StandardError)
{
    public IReadOnlyList<string> OutputLines => StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit code {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
}

/// <summary>
/// Runs tekton.dll as a process with <c>dotnet</c>, stdout and stderr redirected (so never a terminal), the
/// variables the CLI reads cleared, and <c>TEKTON_URL</c> pointing at <see cref="Url"/> when one is given.
/// </summary>
public sealed class TektonCli(Uri? url = null, string? apiKey = null)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    public Uri? Url { get; } = url;

    /// <summary>Runs <c>tekton args…</c> to its end.</summary>
    public Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs <c>tekton args…</c> with <paramref name="input"/> on stdin.</summary>
    public async Task<CliResult> RunWithInputAsync(string? input, params string[] args)
    {
        using var process = new Process { StartInfo = StartInfo(args) };
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync().WaitAsync(RunTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tekton {string.Join(' ', args)} did not end within {RunTimeout.TotalSeconds} s.");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts <c>tekton args…</c> and returns at once, for commands that run until stopped (watch, logs -f).</summary>
    public CliProcess Start(params string[] args) => CliProcess.Start(StartInfo(args));

    private ProcessStartInfo StartInfo(string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Repository.CliDll);
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove(TektonClientOptions.UrlVariable);
        start.Environment.Remove(TektonClientOptions.ApiKeyVariable);
        start.Environment.Remove("NO_COLOR");
        start.Environment["DOTNET_NOLOGO"] = "1";
        if (Url is not null)
        {
            start.Environment[TektonClientOptions.UrlVariable] = Url.ToString();
        }

        if (apiKey is not null)
        {
            start.Environment[TektonClientOptions.ApiKeyVariable] = apiKey;
        }

        return start;
    }
}
