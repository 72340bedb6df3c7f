namespace Tekton.Application.Events;

/// <summary>
/// The last events of one channel, kept for replay: a ring in sequence order. <see cref="CompleteAfter"/> is
/// the sequence after which every event of the channel is held; a replay from before it would have a gap.
/// Not thread-safe: the bus uses it under its lock.
/// </summary>
internal sealed class RetainedWindow(int capacity)
{
    private readonly TektonEvent[] _ring = new TektonEvent[capacity];
    private int _start;
    private int _count;

    public long CompleteAfter { get; private set; }

    public long Oldest => _count == 0 ? CompleteAfter + 1 : _ring[_start].Sequence;

    /// <summary>Forgets everything; the window is complete only for events after <paramref name="completeAfter"/>.</summary>
    public void Reset(long completeAfter)
    {
        Array.Clear(_ring);
        _start = 0;
        _count = 0;
        CompleteAfter = completeAfter;
    }

    public void Add(TektonEvent e)
    {
        if (_count == _ring.Length)
        {
            CompleteAfter = _ring[_start].Sequence;
            _ring[_start] = e;
            _start = (_start + 1) % _ring.Length;
            return;
        }

        _ring[(_start + _count) % _ring.Length] = e;
        _count++;
    }

    /// <summary>The held events after <paramref name="since"/> that <paramref name="include"/> accepts, oldest first.</summary>
    public List<TektonEvent> After(long since, Func<TektonEvent, bool> include)
    {
        // Binary search for the first held event after since; the ring is in sequence order.
        int low = 0, high = _count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (At(middle).Sequence <= since)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        var events = new List<TektonEvent>(Math.Min(_count - low, 1024));
        for (var i = low; i < _count; i++)
        {
            var e = At(i);
            if (include(e))
            {
                events.Add(e);
            }
        }

        return events;
    }

    private TektonEvent At(int index) => _ring[(_start + index) % _ring.Length];
}
