namespace Tekton.Web.Tests.Support;

/// <summary>
/// A clock the test moves by hand: <see cref="Advance"/> moves the wall clock and the monotonic clock together,
/// as time passing does. Timers still run on real time, so tests drive sweeps explicitly.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;
    private long _elapsed = TimeSpan.TicksPerDay;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override long GetTimestamp() => Interlocked.Read(ref _elapsed);

    public void Advance(TimeSpan by)
    {
        Interlocked.Add(ref _ticks, by.Ticks);
        Interlocked.Add(ref _elapsed, by.Ticks);
    }
}
