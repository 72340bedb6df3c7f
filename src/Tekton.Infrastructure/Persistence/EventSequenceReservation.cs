namespace Tekton.Infrastructure.Persistence;

/// <summary>The one row that holds how far event sequence numbers are reserved (see <c>EventSequence</c>).</summary>
public sealed class EventSequenceReservation
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public long ReservedThrough { get; set; }
}
