using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tekton.Application.Common;
using Tekton.Application.Components;
using Tekton.Application.Dependencies;
using Tekton.Application.Events;
using Tekton.Application.Lifecycle;
using Tekton.Application.Models;
using Tekton.Application.Resources;
using Tekton.Application.Security;
using Tekton.Domain.Models;
using Tekton.Domain.Resources;
using Tekton.Web.Endpoints;
using Tekton.Web.Events;

namespace Tekton.Web.Infrastructure;

/// <summary>
/// Every type on the wire, serialized by generated code with the wire conventions of design §4: snake_case,
/// unknown fields rejected, RFC 3339 UTC timestamps.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    Converters = [typeof(UtcTimestampConverter), typeof(NullableUtcTimestampConverter)])]
[JsonSerializable(typeof(RegisterComponent))]
[JsonSerializable(typeof(RegisterComponentResult))]
[JsonSerializable(typeof(ComponentList))]
[JsonSerializable(typeof(ComponentDetails))]
[JsonSerializable(typeof(ComponentStatusResponse))]
[JsonSerializable(typeof(OperationResult))]
[JsonSerializable(typeof(HeartbeatBody))]
[JsonSerializable(typeof(HeartbeatResult))]
[JsonSerializable(typeof(InstanceStateBody))]
[JsonSerializable(typeof(InstanceStateResult))]
[JsonSerializable(typeof(StartComponentResult))]
[JsonSerializable(typeof(StopBody))]
[JsonSerializable(typeof(ComponentLogs))]
[JsonSerializable(typeof(ControlSignal))]
[JsonSerializable(typeof(DependencyGraphResponse))]
[JsonSerializable(typeof(ComponentDependenciesResponse))]
[JsonSerializable(typeof(VersionResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(SystemResources))]
[JsonSerializable(typeof(ResourceHistory))]
[JsonSerializable(typeof(ComponentResources))]
[JsonSerializable(typeof(ResourceReportBody))]
[JsonSerializable(typeof(UnmetRequirement[]))]
[JsonSerializable(typeof(ModelBody))]
[JsonSerializable(typeof(ModelView))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(RouteBody))]
[JsonSerializable(typeof(RouteResponse))]
[JsonSerializable(typeof(CapabilityList))]
[JsonSerializable(typeof(RuledOut[]))]
[JsonSerializable(typeof(CreateApiKey))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(ApiKeyList))]
[JsonSerializable(typeof(IssueToken))]
[JsonSerializable(typeof(TokenResult))]
[JsonSerializable(typeof(AuditList))]
[JsonSerializable(typeof(HeartbeatEvent))]
[JsonSerializable(typeof(StateChangeEvent))]
[JsonSerializable(typeof(SocketRequest))]
[JsonSerializable(typeof(SubscriptionNotice))]
[JsonSerializable(typeof(ErrorNotice))]
[JsonSerializable(typeof(ResyncNotice))]
[JsonSerializable(typeof(HeartbeatReceivedNotice))]
[JsonSerializable(typeof(RawJson))]
[JsonSerializable(typeof(long?))]
[JsonSerializable(typeof(Dictionary<string, string[]>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string[]>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
public sealed partial class TektonJsonContext : JsonSerializerContext
{
    /// <summary>Design §11: JSON from clients nested deeper than this is refused (REST bodies, socket and hub messages).</summary>
    public const int MaxJsonDepth = 32;

    /// <summary>Applies the wire conventions to a set of options (HTTP, and the OpenAPI schema generator).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.TypeInfoResolverChain.Insert(0, Default);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.MaxDepth = MaxJsonDepth;
        options.Converters.Add(new UtcTimestampConverter());
        options.Converters.Add(new NullableUtcTimestampConverter());
    }
}

/// <summary>Writes times as RFC 3339 in UTC with a <c>Z</c> suffix; reads any RFC 3339 offset.</summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    /// <summary>The most bytes <see cref="Format(DateTimeOffset, Span{byte})"/> writes.</summary>
    public const int MaxLength = 28;

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<byte> text = stackalloc byte[MaxLength];
        writer.WriteStringValue(text[..Format(value, text)]);
    }

    public static string Format(DateTimeOffset value)
    {
        Span<byte> text = stackalloc byte[MaxLength];
        return Encoding.ASCII.GetString(text[..Format(value, text)]);
    }

    /// <summary>
    /// <c>yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'</c> (the fraction without its trailing zeros, and without its point when it is
    /// zero) as ASCII into <paramref name="destination"/>; the count written. The round-trip format ("O", which the
    /// runtime writes without parsing a pattern) is trimmed to it.
    /// </summary>
    public static int Format(DateTimeOffset value, Span<byte> destination)
    {
        // "O" of a UTC time: yyyy-MM-ddTHH:mm:ss.fffffffZ, the point at 19 and the seven digits at 20-26.
        value.UtcDateTime.TryFormat(destination, out _, "O", CultureInfo.InvariantCulture);
        var end = 27;
        while (end > 20 && destination[end - 1] == (byte)'0')
        {
            end--;
        }

        if (end == 20)
        {
            end = 19;
        }

        destination[end] = (byte)'Z';
        return end + 1;
    }
}

public sealed class NullableUtcTimestampConverter : JsonConverter<DateTimeOffset?>
{
    public override bool HandleNull => true;

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is { } v)
        {
            Span<byte> text = stackalloc byte[UtcTimestampConverter.MaxLength];
            writer.WriteStringValue(text[..UtcTimestampConverter.Format(v, text)]);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
