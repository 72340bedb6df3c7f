using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tekton.Application.Lifecycle;
using Tekton.Domain.Components;
using Tekton.Domain.Errors;

namespace Tekton.Infrastructure.Processes;

/// <summary>
/// Linux processes for supervised instances. Each process gets a session and process group of its own
/// (<c>setsid</c>), so a stop reaches its children too, and writes stdout and stderr straight to the instance's
/// log file (not to a pipe held by Tekton), so it keeps running, and logging, while Tekton restarts and can be
/// re-adopted afterwards. A process is named by its pid plus its start time, never by the pid alone.
/// </summary>
internal sealed partial class ProcessSupervisor(LogFiles logs, IHostEnvironment environment, ILogger<ProcessSupervisor> logger)
    : IProcessSupervisor
{
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private const string Launcher = "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1";
    private static readonly string? Setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);

    private readonly ConcurrentDictionary<Guid, Supervised> _processes = new();

    public string? FindExecutable(LaunchSpec launch)
    {
        var command = launch.Command;
        if (command.Contains('/', StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(command, WorkingDirectory(launch));
            return IsExecutable(path) ? path : null;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(directory, command);
            if (IsExecutable(path))
            {
                return path;
            }
        }

        return null;
    }

    public LaunchedProcess Launch(LaunchRequest request)
    {
        var executable = FindExecutable(request.Launch)
            ?? throw new TektonException(ErrorCode.StartupFailed, $"Cannot start '{request.ComponentId}': executable '{request.Launch.Command}' not found.");
        var workingDirectory = WorkingDirectory(request.Launch);
        if (!Directory.Exists(workingDirectory))
        {
            throw new TektonException(ErrorCode.StartupFailed, $"Cannot start '{request.ComponentId}': working directory '{workingDirectory}' does not exist.");
        }

        var logFile = logs.PathFor(request.ComponentId, request.InstanceUuid);
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        var start = new ProcessStartInfo(Setsid ?? "/bin/sh")
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        if (Setsid is not null)
        {
            start.ArgumentList.Add("/bin/sh");
        }

        foreach (var argument in new[] { "-c", Launcher, "tekton-launch", logFile, executable }.Concat(request.Launch.Args))
        {
            start.ArgumentList.Add(argument);
        }

        RuntimeDefaults.KeepOutOf(start);
        foreach (var (name, value) in request.Environment)
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception exception) when (exception is Win32Exception or InvalidOperationException)
        {
            throw new TektonException(ErrorCode.StartupFailed, $"Cannot start '{request.ComponentId}': {exception.Message}");
        }

        process.StandardInput.Close();
        var supervised = new Supervised(process.Id, ReadStartTicks(process.Id) ?? 0, Setsid is not null);
        _processes[request.InstanceUuid] = supervised;
        _ = WatchChildAsync(process, supervised);
        return new LaunchedProcess(supervised.Pid, supervised.StartTicks);
    }

    public bool Adopt(Guid instanceUuid, int pid, long startTicks)
    {
        if (ReadStartTicks(pid) != startTicks)
        {
            return false;
        }

        var supervised = new Supervised(pid, startTicks, OwnGroup: GetProcessGroup(pid) == pid);
        _processes[instanceUuid] = supervised;
        _ = WatchAdoptedAsync(supervised);
        return true;
    }

    public async Task<int?> WaitForExitAsync(Guid instanceUuid, CancellationToken cancellationToken) =>
        _processes.TryGetValue(instanceUuid, out var supervised) ? await supervised.Exited.Task.WaitAsync(cancellationToken) : null;

    public bool IsRunning(Guid instanceUuid) =>
        _processes.TryGetValue(instanceUuid, out var supervised) && !supervised.Exited.Task.IsCompleted;

    public async Task TerminateAsync(Guid instanceUuid, TimeSpan grace, bool force, CancellationToken cancellationToken)
    {
        if (!_processes.TryGetValue(instanceUuid, out var supervised))
        {
            return;
        }

        Signal(supervised, force ? SigKill : SigTerm);
        if (!force && await GoneAsync(supervised, grace, cancellationToken))
        {
            return;
        }

        LogKilling(instanceUuid, supervised.Pid);
        Signal(supervised, SigKill);
        await GoneAsync(supervised, TimeSpan.FromSeconds(5), cancellationToken);
    }

    public Task TerminateAllAsync(TimeSpan grace) =>
        Task.WhenAll(_processes.Keys.Select(uuid => TerminateAsync(uuid, grace, force: false, CancellationToken.None)));

    /// <summary>Field 22 of <c>/proc/[pid]/stat</c>: when the process started, in clock ticks since boot; null when there is no such process.</summary>
    internal static long? ReadStartTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static int? GetProcessGroup(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2], CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// The launch's working directory, absolute. Registration refuses one with a NUL (no path can hold it); a spec
    /// stored before that rule is refused here with 1004 rather than failing inside <see cref="Path.GetFullPath(string, string)"/>.
    /// </summary>
    private string WorkingDirectory(LaunchSpec launch)
    {
        if (launch.WorkingDirectory is not { Length: > 0 } directory)
        {
            return environment.ContentRootPath;
        }

        return directory.Contains('\0', StringComparison.Ordinal)
            ? throw new TektonException(ErrorCode.StartupFailed, "The launch's working directory is not a valid path: it contains a NUL character. Register the component again with a valid one.")
            : Path.GetFullPath(directory, environment.ContentRootPath);
    }

    private static bool IsExecutable(string path) =>
        !OperatingSystem.IsWindows() && File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    private static void Signal(Supervised supervised, int signal) =>
        _ = Kill(supervised.OwnGroup ? -supervised.Pid : supervised.Pid, signal);

    /// <summary>True once the process has exited and no process of its group is left; false when <paramref name="within"/> passed first.</summary>
    private static async Task<bool> GoneAsync(Supervised supervised, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(within.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var groupGone = !supervised.OwnGroup || Kill(-supervised.Pid, 0) != 0 || !HasLiveMembers(supervised.Pid);
            if (supervised.Exited.Task.IsCompleted && groupGone)
            {
                return true;
            }

            if (Stopwatch.GetTimestamp() >= deadline)
            {
                return false;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>
    /// Whether a process group has a member that is not a zombie. Zombies are finished; orphaned ones wait for
    /// init to reap them, which some inits do only now and then, so they must not count as running.
    /// </summary>
    private static bool HasLiveMembers(int processGroup)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var name = Path.GetFileName(directory);
                if (name.Length == 0 || !char.IsAsciiDigit(name[0]))
                {
                    continue;
                }

                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ', 4);
                if (fields[0] != "Z" && fields[2] == processGroup.ToString(CultureInfo.InvariantCulture))
                {
                    return true;
                }
            }
            catch (IOException)
            {
                // Gone while we looked.
            }
        }

        return false;
    }

    private async Task WatchChildAsync(Process process, Supervised supervised)
    {
        using (process)
        {
            await process.WaitForExitAsync();
            supervised.Exited.TrySetResult(process.ExitCode);
        }
    }

    /// <summary>An adopted process is not Tekton's child, so it cannot be waited for: its pid and start time are checked instead.</summary>
    private static async Task WatchAdoptedAsync(Supervised supervised)
    {
        while (ReadStartTicks(supervised.Pid) == supervised.StartTicks)
        {
            await Task.Delay(250);
        }

        supervised.Exited.TrySetResult(null);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {InstanceUuid} (pid {Pid}) did not stop in time; killing its process group")]
    private partial void LogKilling(Guid instanceUuid, int pid);

    private sealed record Supervised(int Pid, long StartTicks, bool OwnGroup)
    {
        public TaskCompletionSource<int?> Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
