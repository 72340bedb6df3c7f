using System.Text.Json;
using System.Text.Json.Serialization;
using Tekton.Application.Events;
using Tekton.Web.Infrastructure;

namespace Tekton.Web.Events;

/// <summary>Encodes events and notices for the sockets and the hub: each event once, however many receive it.</summary>
public static class EventJson
{
    public static byte[] Encode(TektonEvent e)
    {
        // Two threads may both encode an event the first time; either result is the same bytes.
        var encoded = e.Utf8;
        if (encoded is null)
        {
            encoded = e switch
            {
                HeartbeatEvent heartbeat => JsonSerializer.SerializeToUtf8Bytes(heartbeat, TektonJsonContext.Default.HeartbeatEvent),
                StateChangeEvent change => JsonSerializer.SerializeToUtf8Bytes(change, TektonJsonContext.Default.StateChangeEvent),
                _ => throw new ArgumentException($"No encoding for {e.GetType().Name}.", nameof(e)),
            };
            e.Utf8 = encoded;
        }

        return encoded;
    }

    public static byte[] Encode(object notice) => notice switch
    {
        SubscriptionNotice n => JsonSerializer.SerializeToUtf8Bytes(n, TektonJsonContext.Default.SubscriptionNotice),
        ErrorNotice n => JsonSerializer.SerializeToUtf8Bytes(n, TektonJsonContext.Default.ErrorNotice),
        ResyncNotice n => JsonSerializer.SerializeToUtf8Bytes(n, TektonJsonContext.Default.ResyncNotice),
        ResyncRequired r => JsonSerializer.SerializeToUtf8Bytes(ToNotice(r), TektonJsonContext.Default.ResyncNotice),
        HeartbeatReceivedNotice n => JsonSerializer.SerializeToUtf8Bytes(n, TektonJsonContext.Default.HeartbeatReceivedNotice),
        _ => throw new ArgumentException($"No encoding for {notice.GetType().Name}.", nameof(notice)),
    };

    public static ResyncNotice ToNotice(ResyncRequired resync) => new(
        ChannelName(resync.Channel),
        resync.SinceSequence,
        resync.OldestSequence,
        resync.LatestSequence,
        $"Events after sequence {resync.SinceSequence} are no longer retained (the oldest held is {resync.OldestSequence}); " +
        "read the current state over REST, then rely on the live events that follow.");

    public static string ChannelName(EventChannel channel) => channel == EventChannel.Heartbeat ? "heartbeat" : "state";
}

/// <summary>JSON that is already encoded, written as is: how the hub sends an event without encoding it per connection.</summary>
[JsonConverter(typeof(RawJsonConverter))]
public readonly record struct RawJson(byte[] Utf8);

public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("RawJson is written, never read.");

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8, skipInputValidation: true);
}
