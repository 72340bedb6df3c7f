using System.Diagnostics;

namespace Tekton.Cli.Tests.Support;

/// <summary>
/// A tekton process that runs until it is stopped. Its stdout and stderr lines are collected as they arrive;
/// tests wait for a line with a timeout. Disposing kills it if it still runs.
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly Lock _lines = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CliProcess(Process process) => _process = process;

    public IReadOnlyList<string> StandardOutput => Snapshot(_stdout);

    public IReadOnlyList<string> StandardError => Snapshot(_stderr);

    public static CliProcess Start(ProcessStartInfo start)
    {
        var cli = new CliProcess(new Process { StartInfo = start, EnableRaisingEvents = true });
        cli._process.OutputDataReceived += (_, e) => cli.Observe(cli._stdout, e.Data);
        cli._process.ErrorDataReceived += (_, e) => cli.Observe(cli._stderr, e.Data);
        cli._process.Exited += (_, _) => cli.Signal();
        cli._process.Start();
        cli._process.StandardInput.Close();
        cli._process.BeginOutputReadLine();
        cli._process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Waits for a stdout line that matches; fails with both outputs when <paramref name="timeout"/> passes or the process ends first.</summary>
    public Task<string> WaitForOutputAsync(Func<string, bool> match, TimeSpan timeout) => WaitForAsync(_stdout, match, timeout);

    /// <summary>Waits for a stderr line that matches.</summary>
    public Task<string> WaitForErrorAsync(Func<string, bool> match, TimeSpan timeout) => WaitForAsync(_stderr, match, timeout);

    /// <summary>Sends SIGTERM, as a service manager or <c>kill</c> does, and waits for the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    public override string ToString() =>
        $"--- stdout\n{string.Join('\n', StandardOutput)}\n--- stderr\n{string.Join('\n', StandardError)}";

    private async Task<string> WaitForAsync(List<string> lines, Func<string, bool> match, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_lines)
            {
                if (lines.FirstOrDefault(match) is { } found)
                {
                    return found;
                }

                changed = _changed.Task;
            }

            if (_process.HasExited)
            {
                // The last lines may still be on their way: one more look after the streams are drained.
                await _process.WaitForExitAsync();
                lock (_lines)
                {
                    return lines.FirstOrDefault(match)
                        ?? throw new InvalidOperationException($"tekton exited with {_process.ExitCode} before printing the line awaited.\n{this}");
                }
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No line as awaited within {timeout.TotalSeconds} s.\n{this}");
            }
        }
    }

    private void Observe(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            lines.Add(line);
        }

        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource changed;
        lock (_lines)
        {
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private List<string> Snapshot(List<string> lines)
    {
        lock (_lines)
        {
            return [.. lines];
        }
    }
}
