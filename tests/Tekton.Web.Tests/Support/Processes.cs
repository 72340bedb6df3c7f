using System.Globalization;
using System.Text;

namespace Tekton.Web.Tests.Support;

/// <summary>Finds and checks real processes through /proc.</summary>
public static class Processes
{
    /// <summary>
    /// Pids of live (not zombie) processes whose command line contains <paramref name="marker"/>, leaving out those whose
    /// parent has it too: a shell's fork carries the shell's command line until it execs (`while …; do sleep …`), and
    /// is part of that process, not another copy of it.
    /// </summary>
    public static List<int> WithMarker(string marker)
    {
        var found = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(directory, "cmdline"))).Replace('\0', ' ');
                if (commandLine.Contains(marker, StringComparison.Ordinal) && ParentIfAlive(pid) is { } parent)
                {
                    found[pid] = parent;
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to read.
            }
        }

        return [.. found.Where(p => !found.ContainsKey(p.Value)).Select(p => p.Key)];
    }

    public static bool IsAlive(int pid) => ParentIfAlive(pid) is not null;

    /// <summary>The parent pid of a live (not zombie) process; null when it is a zombie or gone.</summary>
    private static int? ParentIfAlive(int pid)
    {
        try
        {
            // pid (comm) state ppid ...; comm may hold spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] == "Z" ? null : int.Parse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, checking every 50 ms; false when <paramref name="timeout"/> passes first.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    /// <summary>Waits until the asynchronous <paramref name="condition"/> holds, checking every 50 ms; false when <paramref name="timeout"/> (default 10 s) passes first.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    /// <summary>
    /// When the given processes are all gone (or zombies), measured from now: a dedicated thread looks every 5 ms, so
    /// a busy thread pool in the test process does not delay the observation. Null when they outlive <paramref name="timeout"/>.
    /// </summary>
    public static Task<TimeSpan?> TimeUntilGone(IReadOnlyCollection<int> pids, TimeSpan timeout)
    {
        var gone = new TaskCompletionSource<TimeSpan?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var thread = new Thread(() =>
        {
            while (pids.Any(IsAlive))
            {
                if (watch.Elapsed > timeout)
                {
                    gone.SetResult(null);
                    return;
                }

                Thread.Sleep(5);
            }

            gone.SetResult(watch.Elapsed);
        })
        { IsBackground = true, Name = "process death watch" };
        thread.Start();
        return gone.Task;
    }

    public static void KillAll(string marker)
    {
        foreach (var pid in WithMarker(marker))
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }
}
