using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FluentValidation;
using Microsoft.Extensions.Options;
using Tekton.Application.Common;
using Tekton.Application.Components;
using Tekton.Application.Lifecycle;
using Tekton.Domain.Components;
using Tekton.Web.Infrastructure;
using Tekton.Web.Security;

namespace Tekton.Web.Endpoints;

/// <summary>
/// The registry's hottest requests, a heartbeat (<c>POST /api/tekton/components/{id}/heartbeat</c>), a component's
/// details (<c>GET /api/tekton/components/{id}</c>) and a registration (<c>POST /api/tekton/components</c>), answered
/// ahead of the rest of the pipeline while auth is off (design §12, docs/performance-notes.md). With auth off every
/// rule allows the one caller, so what the pipeline would add for these is routing, the endpoint's model binding and
/// filters, the mediator and its validation, and the JSON writer. This middleware does the same work directly: it
/// parses the heartbeat with a <see cref="Utf8JsonReader"/> under the validator's own rules, reads a registration with
/// the endpoint's own JSON contract and validators, calls the same handlers, and writes the answers from bytes (a
/// component's details from a rendering kept per committed view, the time-dependent fields filled in per request).
/// </summary>
/// <remarks>
/// Only the plain case is taken here. Anything else goes on down the pipeline unchanged, the body replayed when it
/// was read: another path or method spelling, a query string, an <c>Origin</c> header (the browser-origin rule
/// decides those), a body that is not a small <c>application/json</c> one with a known length, a body this parser
/// does not accept or the validators refuse (the endpoint answers its error), an unknown component or instance (404
/// from the endpoint), a registration with an <c>Idempotency-Key</c> (the endpoint keeps the replays). The
/// answers are byte for byte the endpoint's (HotPathsTests compares them). This middleware runs first in the
/// pipeline, ahead of request metrics and the exception handler: it counts what it answers in the request metrics
/// itself, under the endpoint's route, and a request it took and failed on goes on down the pipeline to be thrown
/// again inside the exception handler (<see cref="RethrowFailure"/>), so errors are answered, logged and counted as
/// the endpoint's would be.
/// </remarks>
internal sealed class HotPaths
{
    /// <summary>Larger heartbeat bodies take the endpoint's path (the parser reads the body in one piece).</summary>
    public const int MaxHeartbeatBytes = 16 * 1024;

    /// <summary>Larger registration bodies take the endpoint's path: room for the largest metadata and more.</summary>
    public const int MaxRegistrationBytes = 64 * 1024;

    /// <summary>How many components' renderings are kept (a slot per hash of the id); about 1 KiB each.</summary>
    public const int RenderedSlots = 4096;

    private const string JsonContentType = "application/json; charset=utf-8";

    private const string ComponentsPath = Components.Path;
    private const string ComponentsPrefix = ComponentsPath + "/";
    private const string HeartbeatSuffix = "/heartbeat";
    private static readonly (byte[] Utf8, string Wire)[] StateNames =
        [.. Enum.GetValues<ComponentState>().Select(state => (Encoding.UTF8.GetBytes(state.ToWire()), state.ToWire()))];
    private static readonly byte[] HeartbeatAnswerStart = "{\"success\":true,\"message\":\"Heartbeat received\",\"instance_uuid\":\""u8.ToArray();
    private static readonly byte[] HeartbeatAnswerStatus = "\",\"status\":\""u8.ToArray();

    private readonly RequestDelegate _next;
    private readonly RegistryProjection _projection;
    private readonly HeartbeatTable _heartbeats;
    private readonly RecordHeartbeatHandler _handler;
    private readonly RegisterComponentHandler _register;
    private readonly IValidator<RegisterComponent>[] _registrationValidators;
    private readonly JsonTypeInfo<RegisterComponent> _registration;
    private readonly JsonTypeInfo<RegisterComponentResult> _registrationResult;
    private readonly TimeProvider _clock;
    private readonly JsonTypeInfo<ComponentDetails> _details;
    private readonly EndpointDataSource _endpoints;
    private readonly RequestMeter _meter;
    private readonly RenderedDetails?[] _rendered = new RenderedDetails?[RenderedSlots];
    private Endpoint? _heartbeatEndpoint;
    private Endpoint? _detailsEndpoint;
    private Endpoint? _registerEndpoint;

    public HotPaths(
        RequestDelegate next,
        RegistryProjection projection,
        HeartbeatTable heartbeats,
        RecordHeartbeatHandler handler,
        RegisterComponentHandler register,
        IEnumerable<IValidator<RegisterComponent>> registrationValidators,
        TimeProvider clock,
        EndpointDataSource endpoints,
        RequestMeter meter,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        _meter = meter;
        _next = next;
        _projection = projection;
        _heartbeats = heartbeats;
        _handler = handler;
        _register = register;
        _registrationValidators = [.. registrationValidators];
        _clock = clock;
        _endpoints = endpoints;
        var options = json.Value.SerializerOptions;
        _details = (JsonTypeInfo<ComponentDetails>)options.GetTypeInfo(typeof(ComponentDetails));
        // The same options, with the registration's string lists read in place (StringListReader).
        var registration = new JsonSerializerOptions(options);
        registration.Converters.Add(new StringListReader());
        _registration = (JsonTypeInfo<RegisterComponent>)registration.GetTypeInfo(typeof(RegisterComponent));
        _registrationResult = (JsonTypeInfo<RegisterComponentResult>)options.GetTypeInfo(typeof(RegisterComponentResult));
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value;
        if (path is null
            || path.Length < ComponentsPath.Length
            || !path.StartsWith(ComponentsPath, StringComparison.Ordinal)
            || request.QueryString.HasValue
            || request.Headers.Origin.Count != 0)
        {
            return _next(context);
        }

        if (path.Length == ComponentsPath.Length)
        {
            return HttpMethods.IsPost(request.Method) ? RegisterAsync(context) : _next(context);
        }

        if (path.Length <= ComponentsPrefix.Length || path[ComponentsPath.Length] != '/')
        {
            return _next(context);
        }

        var end = path.IndexOf('/', ComponentsPrefix.Length);
        if (end < 0)
        {
            return HttpMethods.IsGet(request.Method) ? DetailsAsync(context, path[ComponentsPrefix.Length..]) : _next(context);
        }

        if (end > ComponentsPrefix.Length && HttpMethods.IsPost(request.Method) && path.AsSpan(end).SequenceEqual(HeartbeatSuffix))
        {
            return HeartbeatAsync(context, path[ComponentsPrefix.Length..end]);
        }

        return _next(context);
    }

    private Task DetailsAsync(HttpContext context, string componentId)
    {
        if (_projection.Current.Find(componentId) is not { } view)
        {
            return _next(context);
        }

        var started = _meter.Begin();
        try
        {
            var slot = (int)((uint)componentId.GetHashCode() % RenderedSlots);
            var rendered = Volatile.Read(ref _rendered[slot]);
            if (rendered is null || !ReferenceEquals(rendered.View, view))
            {
                rendered = RenderedDetails.Render(view, _details);
                Volatile.Write(ref _rendered[slot], rendered);
            }

            context.SetEndpoint(_detailsEndpoint ??= Find(nameof(Components.GetComponent)));
            context.User = Caller.LocalPrincipal;
            rendered.Write(context.Response, _heartbeats, _clock.GetUtcNow());
        }
        catch (Exception exception)
        {
            return FailAsync(context, exception, counted: true);
        }

        _meter.End(context, StatusCodes.Status200OK, started);
        return Task.CompletedTask;
    }

    private Task HeartbeatAsync(HttpContext context, string componentId) => ReadThenAnswerAsync(context, MaxHeartbeatBytes, componentId);

    private Task RegisterAsync(HttpContext context) =>
        context.Request.Headers.ContainsKey(Components.IdempotencyKeyHeader) ? _next(context) : ReadThenAnswerAsync(context, MaxRegistrationBytes, heartbeatOf: null);

    /// <summary>
    /// Reads a body of at most <paramref name="most"/> bytes, then answers a heartbeat (of the id) or a registration
    /// (null); a request whose body this does not read goes on down the pipeline.
    /// </summary>
    private Task ReadThenAnswerAsync(HttpContext context, int most, string? heartbeatOf)
    {
        if (!TakesBody(context.Request, most, out var length))
        {
            return _next(context);
        }

        // The body usually came with the headers: then the request is answered without a state machine.
        byte[]? body;
        try
        {
            body = TryReadBody(context.Request.BodyReader, length);
        }
        catch (Exception exception)
        {
            return FailAsync(context, exception, counted: false);
        }

        return body is null ? AwaitBodyThenAnswerAsync(context, length, heartbeatOf) : Answer(context, body, heartbeatOf);
    }

    private Task Answer(HttpContext context, byte[] body, string? heartbeatOf) =>
        heartbeatOf is not null ? HeartbeatAsync(context, heartbeatOf, body) : RegisterAsync(context, body);

    /// <summary>A body that did not come with the headers, read whole, then a heartbeat (of the id) or a registration (null).</summary>
    private async Task AwaitBodyThenAnswerAsync(HttpContext context, int length, string? heartbeatOf)
    {
        byte[] body;
        try
        {
            body = await ReadBodyAsync(context.Request.BodyReader, length, context.RequestAborted);
        }
        catch (Exception exception)
        {
            await FailAsync(context, exception, counted: false);
            return;
        }

        await Answer(context, body, heartbeatOf);
    }

    private Task HeartbeatAsync(HttpContext context, string componentId, byte[] body)
    {
        if (!TryParseHeartbeat(body, out var heartbeat, out var metrics)
            || _projection.Current.Find(componentId) is not { } view
            || (heartbeat.InstanceUuid is { } uuid ? view.FindInstance(uuid) : view.Current) is null)
        {
            context.Request.Body = new MemoryStream(body, writable: false);
            return _next(context);
        }

        var started = _meter.Begin();
        ValueTask<HeartbeatResult> handled;
        try
        {
            context.SetEndpoint(_heartbeatEndpoint ??= Find(nameof(Lifecycle.RecordHeartbeat)));
            context.User = Caller.LocalPrincipal;
            handled = _handler.Handle(new RecordHeartbeat(componentId, heartbeat) { MetricsText = metrics }, context.RequestAborted);
        }
        catch (Exception exception)
        {
            return FailAsync(context, exception, counted: true);
        }

        if (handled.IsCompletedSuccessfully)
        {
            WriteHeartbeatAnswer(context.Response, handled.Result);
            _meter.End(context, StatusCodes.Status200OK, started);
            return Task.CompletedTask;
        }

        return AnswerAsync(context, componentId, handled, started, static (_, context, _, result) =>
        {
            WriteHeartbeatAnswer(context.Response, result);
            return StatusCodes.Status200OK;
        });
    }

    private Task RegisterAsync(HttpContext context, byte[] body)
    {
        if (!TryReadRegistration(body, out var registration))
        {
            context.Request.Body = new MemoryStream(body, writable: false);
            return _next(context);
        }

        var started = _meter.Begin();
        ValueTask<RegisterComponentResult> handled;
        try
        {
            context.SetEndpoint(_registerEndpoint ??= Find(nameof(Components.RegisterComponent)));
            context.User = Caller.LocalPrincipal;
            handled = _register.Handle(registration, context.RequestAborted);
        }
        catch (Exception exception)
        {
            return FailAsync(context, exception, counted: true);
        }

        return AnswerAsync(context, registration.ComponentId!, handled, started, static (hot, context, id, result) => hot.WriteRegistrationAnswer(context, id, result));
    }

    /// <summary>
    /// Awaits a handler's answer about the component and writes it (the writer returns the status it wrote), or fails
    /// as the endpoint would.
    /// </summary>
    private async Task AnswerAsync<T>(
        HttpContext context, string componentId, ValueTask<T> handled, long started, Func<HotPaths, HttpContext, string, T, int> write)
    {
        T result;
        try
        {
            result = await handled;
        }
        catch (Exception exception)
        {
            await FailAsync(context, exception, counted: true);
            return;
        }

        _meter.End(context, write(this, context, componentId, result), started);
    }

    /// <summary>
    /// A request this middleware took and failed on, before it wrote anything: it goes on down the pipeline with the
    /// failure, which <see cref="RethrowFailure"/> throws again inside the exception handler, so the error is
    /// answered, logged and counted exactly as if the endpoint had thrown it.
    /// </summary>
    private Task FailAsync(HttpContext context, Exception exception, bool counted)
    {
        if (counted)
        {
            _meter.Abandon();
        }

        context.Features.Set(new Failure(ExceptionDispatchInfo.Capture(exception)));
        return _next(context);
    }

    /// <summary>
    /// The middleware right inside the exception handler: throws what <see cref="HotPaths"/> failed on, and passes
    /// every other request on.
    /// </summary>
    public static Task RethrowFailure(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<Failure>() is { } failure)
        {
            context.Features.Set<Failure>(null);
            failure.Exception.Throw();
        }

        return next(context);
    }

    private static async ValueTask<byte[]> ReadBodyAsync(PipeReader reader, int length, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            if (read.Buffer.Length >= length || read.IsCompleted)
            {
                var body = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return body;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    /// <summary>A request whose body a hot path reads: <c>application/json</c> of a known length, at most <paramref name="most"/> bytes.</summary>
    private static bool TakesBody(HttpRequest request, int most, out int length)
    {
        length = request.ContentLength is { } known && known > 0 && known <= most ? (int)known : 0;
        return length > 0 && IsJson(request.ContentType);
    }

    /// <summary>The whole body when it came with the headers (the usual case), or null when the rest must be awaited.</summary>
    private static byte[]? TryReadBody(PipeReader reader, int length)
    {
        if (!reader.TryRead(out var read))
        {
            return null;
        }

        if (read.Buffer.Length < length)
        {
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            return null;
        }

        var body = read.Buffer.ToArray();
        reader.AdvanceTo(read.Buffer.End);
        return body;
    }

    private static bool IsJson(string? contentType) =>
        string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase)
        || string.Equals(contentType, JsonContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The heartbeat body under the endpoint's rules (<see cref="RecordHeartbeatValidator"/>), with its metrics as
    /// their text in <paramref name="json"/>, or false for anything the endpoint might answer differently: a name
    /// spelled otherwise than the wire's, a repeated one, a value of another kind, anything the rules refuse. The
    /// endpoint then reads it again and answers as it always does.
    /// </summary>
    internal static bool TryParseHeartbeat(byte[] json, out HeartbeatBody heartbeat, out JsonText? metrics)
    {
        heartbeat = null!;
        metrics = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = Infrastructure.TektonJsonContext.MaxJsonDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            Guid? instance = null;
            string? status = null;
            Dictionary<string, string>? health = null;
            var seen = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = reader.ValueIsEscaped ? 0
                    : reader.ValueTextEquals("status"u8) ? 1
                    : reader.ValueTextEquals("metrics"u8) ? 2
                    : reader.ValueTextEquals("instance_uuid"u8) ? 4
                    : reader.ValueTextEquals("health"u8) ? 8
                    : 0;
                if (field == 0 || (seen & field) != 0 || !reader.Read())
                {
                    return false;
                }

                seen |= field;
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                switch (field)
                {
                    case 1 when reader.TokenType == JsonTokenType.String:
                        status = StateNamed(ref reader);
                        if (status is null)
                        {
                            return false;
                        }

                        break;
                    case 2:
                        var start = (int)reader.TokenStartIndex;
                        if (!RecordHeartbeatValidator.IsValidMetrics(ref reader))
                        {
                            return false;
                        }

                        // The retained event keeps the text: the body itself when the metrics are most of it.
                        var text = json.AsMemory(start, (int)reader.BytesConsumed - start);
                        metrics = JsonText.FromRead(text.Length * 2 >= json.Length ? text : text.ToArray());
                        break;
                    case 4 when reader.TokenType == JsonTokenType.String && reader.TryGetGuid(out var uuid):
                        instance = uuid;
                        break;
                    case 8 when reader.TokenType == JsonTokenType.StartObject:
                        health = ReadHealth(ref reader);
                        if (health is null || !RecordHeartbeatValidator.IsValidHealth(health))
                        {
                            return false;
                        }

                        break;
                    default:
                        return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0 || reader.Read())
            {
                return false;
            }

            heartbeat = new HeartbeatBody { InstanceUuid = instance, Status = status, Health = health };
            return true;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // Malformed JSON, or a string that is not valid UTF-8: the endpoint answers its own error.
            return false;
        }
    }

    /// <summary>The wire name of the state the reader's string names, or null when it names none.</summary>
    private static string? StateNamed(ref Utf8JsonReader reader)
    {
        foreach (var (utf8, wire) in StateNames)
        {
            if (reader.ValueTextEquals(utf8))
            {
                return wire;
            }
        }

        return null;
    }

    private static Dictionary<string, string>? ReadHealth(ref Utf8JsonReader reader)
    {
        var health = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            if (!reader.Read() || reader.TokenType != JsonTokenType.String || !health.TryAdd(name, reader.GetString()!))
            {
                return null;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject ? health : null;
    }

    /// <summary>
    /// The registration as the endpoint binds it (the same JSON contract) when every validator accepts it, or false:
    /// JSON the contract refuses, or a registration the validators do not pass. The endpoint then reads it again and
    /// answers its error as it always does; the validators run there again, only for a refused request.
    /// </summary>
    internal bool TryReadRegistration(byte[] json, out RegisterComponent registration)
    {
        registration = null!;
        try
        {
            if (JsonSerializer.Deserialize(json, _registration) is not { } read)
            {
                return false;
            }

            var context = new ValidationContext<RegisterComponent>(read);
            foreach (var validator in _registrationValidators)
            {
                if (!validator.Validate(context).IsValid)
                {
                    return false;
                }
            }

            registration = read;
            return true;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or NotSupportedException
            or AsyncValidatorInvokedSynchronouslyException)
        {
            return false;
        }
    }

    /// <summary>The endpoint's answer: 201 with the new component's location, or 200 for one registered before.</summary>
    private int WriteRegistrationAnswer(HttpContext context, string componentId, RegisterComponentResult result)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(result, _registrationResult);
        var response = context.Response;
        var status = result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        response.StatusCode = status;
        if (result.Created)
        {
            response.Headers.Location = Components.LocationOf(componentId);
        }

        response.ContentType = JsonContentType;
        response.ContentLength = json.Length;
        var writer = response.BodyWriter;
        json.CopyTo(writer.GetSpan(json.Length));
        writer.Advance(json.Length);
        return status;
    }

    /// <summary>The endpoint's answer, <see cref="HeartbeatResult"/> as its JSON writer spells it.</summary>
    private static void WriteHeartbeatAnswer(HttpResponse response, HeartbeatResult result)
    {
        var status = result.Status;
        var length = HeartbeatAnswerStart.Length + 36 + HeartbeatAnswerStatus.Length + status.Length + 2;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = JsonContentType;
        response.ContentLength = length;
        var writer = response.BodyWriter;
        var span = writer.GetSpan(length);
        HeartbeatAnswerStart.CopyTo(span);
        var at = HeartbeatAnswerStart.Length;
        result.InstanceUuid.TryFormat(span[at..], out var written);
        at += written;
        HeartbeatAnswerStatus.CopyTo(span[at..]);
        at += HeartbeatAnswerStatus.Length;
        at += Encoding.ASCII.GetBytes(status, span[at..]);
        span[at++] = (byte)'"';
        span[at++] = (byte)'}';
        writer.Advance(at);
    }

    /// <summary>What a hot path failed on, carried to <see cref="RethrowFailure"/>.</summary>
    private sealed record Failure(ExceptionDispatchInfo Exception);

    private Endpoint Find(string name) =>
        _endpoints.Endpoints.First(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == name);

    /// <summary>
    /// One committed view's details as the endpoint's JSON writer renders them, cut where the time-dependent
    /// fields go: the component's <c>last_heartbeat</c> and <c>uptime</c>, and each instance's <c>last_heartbeat</c>.
    /// </summary>
    private sealed class RenderedDetails
    {
        private readonly byte[] _json;
        private readonly (int Start, int End, Hole Hole, InstanceView? Instance)[] _holes;

        private RenderedDetails(ComponentView view, byte[] json, (int, int, Hole, InstanceView?)[] holes)
        {
            View = view;
            _json = json;
            _holes = holes;
        }

        private enum Hole
        {
            LastHeartbeat,
            Uptime,
            InstanceLastHeartbeat,
        }

        public ComponentView View { get; }

        public static RenderedDetails Render(ComponentView view, JsonTypeInfo<ComponentDetails> typeInfo)
        {
            // The details with every time-dependent field null, rendered by the endpoint's own serializer.
            var details = ComponentResponses.Details(view, new HeartbeatTable(), DateTimeOffset.UnixEpoch);
            details = details with
            {
                LastHeartbeat = null,
                Uptime = null,
                Instances = [.. details.Instances.Select(i => i with { LastHeartbeat = null })],
            };
            var json = JsonSerializer.SerializeToUtf8Bytes(details, typeInfo);

            var holes = new List<(int, int, Hole, InstanceView?)>();
            var reader = new Utf8JsonReader(json);
            var inInstances = false;
            var instance = -1;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject when inInstances && reader.CurrentDepth == 2:
                        instance++;
                        continue;
                    case JsonTokenType.EndArray when reader.CurrentDepth == 1:
                        inInstances = false;
                        continue;
                    case not JsonTokenType.PropertyName:
                        continue;
                }

                if (reader.CurrentDepth == 1 && reader.ValueTextEquals("instances"u8))
                {
                    inInstances = true;
                    continue;
                }

                // Only the details' own fields: metadata's and launch's nested names are deeper or outside the instances.
                var hole = reader.CurrentDepth switch
                {
                    1 when reader.ValueTextEquals("last_heartbeat"u8) => Hole.LastHeartbeat,
                    1 when reader.ValueTextEquals("uptime"u8) => Hole.Uptime,
                    3 when inInstances && reader.ValueTextEquals("last_heartbeat"u8) => Hole.InstanceLastHeartbeat,
                    _ => (Hole?)null,
                };
                if (hole is null)
                {
                    continue;
                }

                reader.Read();
                var target = hole == Hole.InstanceLastHeartbeat ? view.FindInstance(details.Instances[instance].InstanceUuid) : view.Current;
                holes.Add(((int)reader.TokenStartIndex, (int)reader.BytesConsumed, hole.Value, target));
            }

            return new RenderedDetails(view, json, [.. holes]);
        }

        public void Write(HttpResponse response, HeartbeatTable heartbeats, DateTimeOffset now)
        {
            // Each hole's value: "null" or a quoted timestamp or uptime, at most 40 bytes.
            Span<byte> values = stackalloc byte[_holes.Length * 40];
            Span<Range> ranges = stackalloc Range[_holes.Length];
            var at = 0;
            var length = _json.Length;
            for (var i = 0; i < _holes.Length; i++)
            {
                var (start, end, hole, instance) = _holes[i];
                var written = hole switch
                {
                    Hole.Uptime => WriteUptime(values[at..], ComponentResponses.UptimeSpan(instance, now)),
                    _ => WriteTimestamp(values[at..], ComponentResponses.LastHeartbeat(instance, heartbeats)),
                };
                ranges[i] = at..(at + written);
                at += written;
                length += written - (end - start);
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = JsonContentType;
            response.ContentLength = length;
            var writer = response.BodyWriter;
            var span = writer.GetSpan(length);
            var from = 0;
            var to = 0;
            for (var i = 0; i < _holes.Length; i++)
            {
                var (start, end, _, _) = _holes[i];
                _json.AsSpan(from, start - from).CopyTo(span[to..]);
                to += start - from;
                var value = values[ranges[i]];
                value.CopyTo(span[to..]);
                to += value.Length;
                from = end;
            }

            _json.AsSpan(from).CopyTo(span[to..]);
            writer.Advance(length);
        }

        private static int WriteTimestamp(Span<byte> destination, DateTimeOffset? value)
        {
            if (value is not { } at)
            {
                "null"u8.CopyTo(destination);
                return 4;
            }

            destination[0] = (byte)'"';
            var written = UtcTimestampConverter.Format(at, destination[1..]);
            destination[written + 1] = (byte)'"';
            return written + 2;
        }

        /// <summary>An uptime (<c>[d.]hh:mm:ss</c>: digits, '.', ':'), which needs no escaping.</summary>
        private static int WriteUptime(Span<byte> destination, TimeSpan? value)
        {
            if (value is not { } span)
            {
                "null"u8.CopyTo(destination);
                return 4;
            }

            destination[0] = (byte)'"';
            var written = Wire.Uptime(span, destination[1..]);
            destination[written + 1] = (byte)'"';
            return written + 2;
        }
    }
}
