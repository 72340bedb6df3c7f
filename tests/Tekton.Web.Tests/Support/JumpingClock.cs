namespace Tekton.Web.Tests.Support;

/// <summary>Real time, except that the test can make the wall clock jump (as NTP or an operator does); the monotonic clock runs on undisturbed.</summary>
public sealed class JumpingClock : TimeProvider
{
    private long _offset;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offset));

    public void Jump(TimeSpan by) => Interlocked.Add(ref _offset, by.Ticks);
}
