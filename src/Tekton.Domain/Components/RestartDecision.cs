namespace Tekton.Domain.Components;

/// <summary>What to do after a supervised process ended on its own: restart after <see cref="Delay"/>, or give up.</summary>
public sealed record RestartDecision(bool Restart, TimeSpan Delay, string Reason)
{
    /// <summary>Back-off doubles from 1 s up to this cap.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(60);

    /// <summary>A process that stayed up this long starts the back-off from 1 s again.</summary>
    public static readonly TimeSpan ResetAfter = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The restart policy of design §6.3 as a pure function. <paramref name="recentRestarts"/> are the times of
    /// earlier restarts; <paramref name="uptime"/> is how long the process that ended had run.
    /// </summary>
    public static RestartDecision Decide(
        LaunchSpec launch, int? exitCode, IReadOnlyList<DateTimeOffset> recentRestarts, TimeSpan uptime, DateTimeOffset now)
    {
        var failed = exitCode is not 0;
        if (launch.Restart == RestartPolicy.No || (launch.Restart == RestartPolicy.OnFailure && !failed))
        {
            return new RestartDecision(false, TimeSpan.Zero, failed ? "exited" : "completed");
        }

        var window = TimeSpan.FromSeconds(launch.RestartWindow);
        var inWindow = recentRestarts.Count(t => now - t <= window);
        if (inWindow >= launch.MaxRestarts)
        {
            return new RestartDecision(false, TimeSpan.Zero, $"more than {launch.MaxRestarts} restarts within {launch.RestartWindow} s");
        }

        // Consecutive quick failures double the delay; a long run resets it.
        var streak = uptime >= ResetAfter ? 0 : ConsecutiveRestarts(recentRestarts, now);
        var delay = TimeSpan.FromSeconds(Math.Min(MaxDelay.TotalSeconds, Math.Pow(2, streak)));
        return new RestartDecision(true, delay, failed ? "restarting after failure" : "restarting (policy always)");
    }

    private static int ConsecutiveRestarts(IReadOnlyList<DateTimeOffset> restarts, DateTimeOffset now)
    {
        // Restarts closer together than the reset period form one streak, counted back from now.
        var streak = 0;
        var previous = now;
        foreach (var at in restarts.OrderDescending())
        {
            if (previous - at > ResetAfter + MaxDelay)
            {
                break;
            }

            streak++;
            previous = at;
        }

        return streak;
    }
}
