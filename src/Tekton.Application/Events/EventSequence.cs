namespace Tekton.Application.Events;

/// <summary>
/// Hands out event sequence numbers: one counter for every event, increasing across restarts. Numbers are
/// reserved in the database a block at a time (hi/lo), so the hot path never waits on the disk: the next block
/// is reserved in the background when half of the current one is used, and a restart starts after the last
/// block reserved, never below a number already handed out.
/// </summary>
public sealed class EventSequence
{
    /// <summary>How many numbers one reservation covers.</summary>
    public const long BlockSize = 1_000_000;

    private long _last;
    private long _reservedThrough = long.MaxValue;
    private int _reserving;
    private long _retryAfter;
    private Func<long, Task>? _reserve;
    private Action<Exception>? _reserveFailed;

    /// <summary>The last number handed out.</summary>
    public long Last => Interlocked.Read(ref _last);

    /// <summary>
    /// Starts after <paramref name="last"/>, with numbers up to <paramref name="reservedThrough"/> already
    /// reserved; <paramref name="reserve"/> durably raises the reservation to the number it is given.
    /// </summary>
    public void Start(long last, long reservedThrough, Func<long, Task> reserve, Action<Exception> reserveFailed)
    {
        _reserve = reserve;
        _reserveFailed = reserveFailed;
        Interlocked.Exchange(ref _reservedThrough, reservedThrough);
        Interlocked.Exchange(ref _last, last);
    }

    public long Next()
    {
        var next = Interlocked.Increment(ref _last);
        if (next > Interlocked.Read(ref _reservedThrough) - (BlockSize / 2) && _reserve is not null
            && Environment.TickCount64 >= Interlocked.Read(ref _retryAfter)
            && Interlocked.CompareExchange(ref _reserving, 1, 0) == 0)
        {
            // Off the caller's thread: the caller may hold the bus's lock, and the write waits for the disk.
            _ = Task.Run(ReserveAsync);
        }

        return next;
    }

    private async Task ReserveAsync()
    {
        try
        {
            var target = Interlocked.Read(ref _reservedThrough) + BlockSize;
            await _reserve!(target);
            Interlocked.Exchange(ref _reservedThrough, target);
        }
        catch (Exception exception)
        {
            // Tried again a second later.
            Interlocked.Exchange(ref _retryAfter, Environment.TickCount64 + 1000);
            _reserveFailed?.Invoke(exception);
        }
        finally
        {
            Volatile.Write(ref _reserving, 0);
        }
    }
}
