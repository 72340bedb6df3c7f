using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Reliability;

/// <summary>One operation of the OpenAPI document.</summary>
internal sealed record FuzzOperation(string Method, string Template, JsonObject Definition)
{
    public string Id => Definition["operationId"]?.GetValue<string>() ?? $"{Method} {Template}";

    public JsonObject? BodySchema => Definition["requestBody"]?["content"]?["application/json"]?["schema"] as JsonObject;

    public IEnumerable<string> Parameters(string location) =>
        (Definition["parameters"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(p => p["in"]?.GetValue<string>() == location)
            .Select(p => p["name"]!.GetValue<string>());

    public JsonObject? Response(int status) => Definition["responses"]?[status.ToString(CultureInfo.InvariantCulture)] as JsonObject;

    public static IReadOnlyList<FuzzOperation> All(JsonObject document) =>
        document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(method => new FuzzOperation(method.Key.ToUpperInvariant(), path.Key, method.Value!.AsObject())))
            .ToList();
}

/// <summary>A request as sent, printable so that a failure can be replayed by hand.</summary>
internal sealed record FuzzRequest(FuzzOperation Operation, string PathAndQuery, byte[]? Body, string? ContentType, string Mutation)
{
    public List<(string Name, string Value)> Headers { get; } = [];

    /// <summary>Whether the HTTP server itself may refuse it before Tekton sees it (a NUL in the path).</summary>
    public bool RefusedByKestrel => PathAndQuery.Split('?')[0].Contains("%00", StringComparison.Ordinal);

    public override string ToString()
    {
        var body = Body is null ? "(no body)" : Encoding.UTF8.GetString(Body);
        body = body.Length > 1500 ? $"{body[..1500]}… ({Body!.Length} bytes)" : body;
        var headers = string.Concat(Headers.Select(h => $"\n{h.Name}: {(h.Value.Length > 100 ? h.Value[..100] + "…" : h.Value)}"));
        return $"{Operation.Method} {PathAndQuery} [{Mutation}]{(ContentType is null ? string.Empty : "\nContent-Type: " + ContentType)}{headers}\n{body}";
    }
}

/// <summary>What the fuzzer learned from successful answers, so that later requests reach real components, instances, models and keys.</summary>
internal sealed class FuzzPools
{
    private readonly Lock _gate = new();
    private readonly List<string> _components = [];
    private readonly List<(string Component, Guid Instance)> _instances = [];
    private readonly List<string> _models = [];
    private readonly List<string> _keys = [];

    public void AddInstance(string component, Guid instance)
    {
        lock (_gate)
        {
            if (!_components.Contains(component))
            {
                _components.Add(component);
            }

            _instances.Add((component, instance));
        }
    }

    public void AddModel(string id) => Add(_models, id);

    public void AddKey(string id) => Add(_keys, id);

    public string? Component(Random random) => Pick(_components, random);

    public (string Component, Guid Instance)? Instance(Random random) => Pick(_instances, random) is { Component: not null } pair ? pair : null;

    public string? Model(Random random) => Pick(_models, random);

    public string? Key(Random random) => Pick(_keys, random);

    private void Add(List<string> list, string value)
    {
        lock (_gate)
        {
            if (!list.Contains(value))
            {
                list.Add(value);
            }
        }
    }

    private T? Pick<T>(List<T> list, Random random)
    {
        lock (_gate)
        {
            return list.Count == 0 ? default : list[random.Next(list.Count)];
        }
    }
}

/// <summary>
/// Makes requests for an operation from its schema: valid ones, with values that pass Tekton's rules where the schema
/// cannot say them (ids, versions, states), and mutated ones. Safety: a <c>host</c> or <c>endpoint</c> is only ever
/// loopback or a value validation refuses, and a <c>launch.command</c> only <c>/nonexistent/tekton-fuzz</c> or
/// <c>true</c>, so nothing reaches beyond 127.0.0.0/8 and nothing arbitrary runs.
/// </summary>
internal sealed class RequestFactory(SchemaChecker schemas, FuzzPools pools, Random random)
{
    public const string MissingCommand = "/nonexistent/tekton-fuzz";

    private static readonly string[] States = ["registered", "initializing", "ready", "degraded", "stopping", "stopped", "failed"];
    private static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "::1"];
    private static readonly string[] LoopbackEndpoints = ["http://127.0.0.1:1/v1", "http://localhost:1/api", "http://[::1]:1/"];

    // Values a host or endpoint may take when mutated: each fails validation, none names a machine.
    private static readonly string[] RefusedHosts = ["", " ", "../..", "..\\..", "a b", "256.256.256.256", "local host", "/etc/passwd", new('a', 300)];
    private static readonly string[] RefusedEndpoints = ["", " ", "../..", "not a url", "ftp://127.0.0.1/", "file:///etc/passwd", "javascript:alert(1)", "http://"];

    private static readonly string[] NastyStrings =
    [
        "", " ", "\t\n", "..", "../..", "../../etc/passwd", "..\\..\\windows", "%2e%2e%2f", "/", "//", "\\", "\u0000", "a\u0000b",
        "\u202Eevil", "\u200B", "\uFEFF", "组件", "😀🔥", "Ω≈ç√", "\u0301", "\ud800", "'; DROP TABLE components;--", "<script>", "${x}",
        "null", "true", "0", "-1", "NaN", "all", "CON", new('x', 65), new('y', 129), new('z', 257),
    ];

    private static readonly JsonNode?[] BoundaryNumbers =
    [
        0, -1, 1, -0.0, 0.0001, 1e-300, int.MaxValue, int.MinValue, 2147483648L, long.MaxValue, long.MinValue, 1e15, 1e308, -1e308,
        65535, 65536, 86400, 86400.001, 3600.5, 0.1, 0.099,
    ];

    // Path values that mean no component at all; "raw" ones are sent without escaping, as they stand.
    private static readonly (string Value, bool Raw)[] NastyIds =
    [
        ("..", false), ("../..", false), ("../../etc/passwd", false), ("..%2F..", true), ("%2e%2e", true), ("%2e%2e%2f%2e%2e", true), ("..%5C..", true),
        ("%00", true), ("a%00b", true), ("%C3%28", true), ("%FF%FE", true), ("%E0%80%80", true), ("组件", false), ("😀", false), ("\u202Eevil", false),
        ("a b", false), ("a/b", false), ("all", false), ("CON", false), (new string('x', 65), false), (new string('y', 3000), false), ("-", false),
        ("00000000-0000-0000-0000-000000000000", false), ("{3b7e64bc-488c-4bab-81de-d67e3cee27e9}", false), ("not-a-uuid", false), ("1e308", false),
    ];

    private static readonly string[] TraceParents =
    [
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-00000000000000000000000000000000-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01",
        "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
        "garbage", "", "00--b7ad6b7169203331-01", new('0', 4000),
    ];

    private const string DeepMarker = "__fuzz_deep__";

    // Required by POST although the schema cannot say so: PUT takes it from the path.
    private static readonly HashSet<string> Required = ["ModelBody.id"];

    private int _serial;

    public FuzzRequest Next(FuzzOperation operation)
    {
        var mutation = random.Next(100) < 45 ? "valid" : Mutations[random.Next(Mutations.Length)];
        var (componentId, instance) = Target();
        var values = operation.Parameters("path").ToDictionary(name => name, name => Uri.EscapeDataString(name switch
        {
            "component_id" => componentId,
            "instance_uuid" => instance.ToString(),
            "model_id" => pools.Model(random) is { } model && random.Next(4) > 0 ? model : $"fz-model-{random.Next(1000)}",
            _ => pools.Key(random) is { } key && random.Next(4) > 0 ? key : $"fz-key-{random.Next(1000)}",
        }));
        if (mutation == "path id" && values.Count > 0)
        {
            var (value, raw) = NastyIds[random.Next(NastyIds.Length)];
            values[values.Keys.ElementAt(random.Next(values.Count))] = raw ? value : Uri.EscapeDataString(value);
        }

        var path = values.Aggregate(operation.Template, (template, value) => template.Replace("{" + value.Key + "}", value.Value, StringComparison.Ordinal));
        var query = Query(operation, instance, mutation == "query value");
        var schema = operation.BodySchema;
        byte[]? body = null;
        var contentType = schema is null ? null : "application/json";
        if (schema is not null)
        {
            var node = Value(schema, string.Empty, string.Empty, 0, componentId, instance);
            if (operation.Id == "PutModel" && node is JsonObject model && random.Next(5) > 0)
            {
                // A body id must match the path's.
                model["id"] = Uri.UnescapeDataString(values["model_id"]);
            }

            (body, contentType, mutation) = Mutate(node, contentType, mutation);
        }
        else if (mutation == "unexpected body")
        {
            body = Encoding.UTF8.GetBytes("""{"unexpected":true}""");
            contentType = "application/json";
        }

        var request = new FuzzRequest(operation, path + query, body, contentType, mutation);
        if (random.Next(10) == 0)
        {
            // An error's trace_id continues the caller's trace (decision 49): whatever it sends, the id stays well formed.
            request.Headers.Add(("traceparent", TraceParents[random.Next(TraceParents.Length)]));
        }

        if (operation.Id == "RegisterComponent" && random.Next(8) == 0)
        {
            request.Headers.Add(("Idempotency-Key", random.Next(3) switch
            {
                0 => $"fz-{random.Next(50)}",
                1 => new string('k', 256),
                _ => " ",
            }));
        }

        return request;
    }

    private static readonly string[] Mutations =
    [
        "path id", "query value", "wrong type", "missing field", "extra field", "boundary number", "huge string", "huge array", "deep nesting",
        "invalid utf-8", "unicode", "null", "not json", "top level", "wrong content type", "oversize body", "unexpected body",
    ];

    private (string Component, Guid Instance) Target()
    {
        if (random.Next(5) > 0 && pools.Instance(random) is { } known)
        {
            return known;
        }

        return (pools.Component(random) ?? $"fz-{random.Next(1000)}", Guid.NewGuid());
    }

    private string Query(FuzzOperation operation, Guid instance, bool mutate)
    {
        var pairs = new List<string>();
        var names = operation.Parameters("query").ToList();
        foreach (var name in names.Where(_ => random.Next(2) == 0))
        {
            pairs.Add(name + "=" + Uri.EscapeDataString(QueryValue(operation.Id, name, instance)));
        }

        if (mutate)
        {
            var name = names.Count > 0 && random.Next(5) > 0 ? names[random.Next(names.Count)] : "fuzz_extra";
            var value = random.Next(6) switch
            {
                0 => "%00",
                1 => "%C3%28",
                2 => Uri.EscapeDataString(new string('q', 3000)),
                3 => Uri.EscapeDataString(NastyStrings[random.Next(NastyStrings.Length)]),
                _ => Uri.EscapeDataString(
                    BoundaryNumbers[random.Next(BoundaryNumbers.Length)]!.ToJsonString() is var n && random.Next(3) == 0 ? n + "x" : n),
            };
            pairs.Add(name + "=" + value);
            if (random.Next(4) == 0)
            {
                pairs.Add(name + "=" + Uri.EscapeDataString(QueryValue(operation.Id, name, instance)));
            }
        }

        return pairs.Count == 0 ? string.Empty : "?" + string.Join('&', pairs);
    }

    // Waits are kept short: the fuzzer measures answers, not the documented long polls.
    private string QueryValue(string operation, string name, Guid instance) => (operation, name) switch
    {
        ("StartComponent", "wait") => random.Next(4) == 0 ? "true" : "false",
        ("StartComponent", "dependency_timeout") => "0.2",
        ("WaitForSignal", "wait") => random.Next(2) == 0 ? "0" : "0.1",
        ("GetComponentLogs", "tail") => random.Next(1, 10001).ToString(CultureInfo.InvariantCulture),
        ("GetComponentLogs", "instance_uuid") => instance.ToString(),
        ("ListComponents", "status") => States[random.Next(States.Length)],
        ("ListComponents", "type") => random.Next(2) == 0 ? "service" : "llm",
        ("ListModels", "status") => random.Next(2) == 0 ? "available" : "unavailable",
        ("GetAuditTrail", "outcome") => random.Next(2) == 0 ? "allowed" : "denied",
        (_, "minutes" or "limit") => random.Next(1, 60).ToString(CultureInfo.InvariantCulture),
        (_, "before_id") => random.Next(1, 1000).ToString(CultureInfo.InvariantCulture),
        (_, "provider") => "ollama",
        _ => "fuzz",
    };

    /// <summary>A valid value for a schema, shaped by the field's name where Tekton's rules are stricter than the schema.</summary>
    private JsonNode? Value(JsonNode? schemaNode, string owner, string name, int depth, string componentId, Guid instance)
    {
        if (schemaNode is not JsonObject raw)
        {
            return "fuzz";
        }

        if (raw["$ref"]?.GetValue<string>() is { } reference)
        {
            owner = reference[(reference.LastIndexOf('/') + 1)..];
        }

        var schema = schemas.Resolve(raw);
        if (Hint(owner, name, componentId, instance) is { } hinted)
        {
            return hinted();
        }

        if ((schema["oneOf"] ?? schema["anyOf"] ?? schema["allOf"]) is JsonArray branches && branches.Count > 0)
        {
            return Value(branches[random.Next(branches.Count)], owner, name, depth, componentId, instance);
        }

        var type = SchemaChecker.Types(schema).FirstOrDefault(t => t != "null") ?? (schema["properties"] is null ? "any" : "object");
        switch (type)
        {
            case "object":
                var result = new JsonObject();
                foreach (var (property, child) in schema["properties"] as JsonObject ?? [])
                {
                    if (random.Next(10) < 7 || Required.Contains($"{owner}.{property}")
                        || (schema["required"] as JsonArray)?.Any(r => r!.GetValue<string>() == property) == true)
                    {
                        result[property] = depth > 6 ? null : Value(child, owner, property, depth + 1, componentId, instance);
                    }
                }

                if (schema["additionalProperties"] is JsonObject extra)
                {
                    for (var i = random.Next(3); i > 0; i--)
                    {
                        result[$"K_{random.Next(100)}"] = Value(extra, owner, name + "{}", depth + 1, componentId, instance);
                    }
                }

                return result;
            case "array":
                var array = new JsonArray();
                var items = random.Next(4);
                for (var i = 0; i < items; i++)
                {
                    var item = Value(schema["items"], owner, name + "[]", depth + 1, componentId, instance);
                    // Lists of ids and tokens must not repeat themselves.
                    if (!array.Any(existing => JsonNode.DeepEquals(existing, item)))
                    {
                        array.Add(item);
                    }
                }

                return array;
            case "string":
                return schema["format"]?.GetValue<string>() switch
                {
                    "guid" or "uuid" => Guid.NewGuid().ToString(),
                    "date-time" => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                    _ => $"fuzz-{random.Next(100)}",
                };
            case "integer":
                return random.Next(0, 10);
            case "number":
                return Math.Round(random.NextDouble() * 10, 2);
            case "boolean":
                return random.Next(2) == 0;
            default:
                return new JsonObject { ["note"] = "fuzz", ["n"] = random.Next(10) };
        }
    }

    private Func<JsonNode?>? Hint(string owner, string name, string componentId, Guid instance) => (owner, name) switch
    {
        ("RegisterComponent", "component_id") => () => random.Next(3) == 0 ? $"fz-{Interlocked.Increment(ref _serial)}" : componentId,
        (_, "component_id") => () => componentId,
        (_, "dependencies[]") => () => pools.Component(random) ?? "fz-dep",
        (_, "component_name") => () => $"Fuzz component {random.Next(100)}",
        (_, "component_type") => () => random.Next(4) == 0 ? "llm" : "service",
        (_, "version") => () => random.Next(2) == 0 ? "1.0.0" : "2.1.0-beta.1+build.5",
        (_, "capabilities[]") => () => random.Next(3) switch { 0 => "text_generation", 1 => "code_generation", _ => $"fuzz_{random.Next(5)}" },
        (_, "host") => () => LoopbackHosts[random.Next(LoopbackHosts.Length)],
        (_, "endpoint") => () => LoopbackEndpoints[random.Next(LoopbackEndpoints.Length)],
        (_, "port") => () => random.Next(2) == 0 ? 1 : random.Next(60000, 65536),
        (_, "health_check") => () => "/health",
        (_, "heartbeat_interval") => () => random.Next(1, 60),
        (_, "heartbeat_timeout") => () => random.Next(180, 600),
        (_, "command") => () => random.Next(2) == 0 ? MissingCommand : "true",
        (_, "args[]") => () => "--fuzz",
        (_, "working_directory") => () => random.Next(2) == 0 ? "." : "/nonexistent/tekton-fuzz-dir",
        (_, "env{}") => () => "1",
        (_, "restart") => () => random.Next(2) == 0 ? "no" : "on-failure",
        (_, "max_restarts") => () => random.Next(0, 2),
        (_, "restart_window") => () => 60,
        (_, "startup_timeout" or "stop_timeout" or "timeout") => () => Math.Round(random.NextDouble(), 2),
        (_, "node") => () => null,
        (_, "min_memory_gb" or "min_disk_gb" or "min_gpu_memory_gb") => () => Math.Round(random.NextDouble(), 2),
        (_, "gpu_count") => () => 0,
        ("RegisterComponent", "instance_uuid") => () => random.Next(3) == 0 ? instance.ToString() : Guid.NewGuid().ToString(),
        (_, "instance_uuid") => () => instance.ToString(),
        ("HeartbeatBody", "status") or (_, "state") => () => States[random.Next(States.Length)],
        ("ModelBody", "status") => () => random.Next(3) == 0 ? "unavailable" : "available",
        ("ModelBody", "id") => () => $"fz-model-{random.Next(50)}",
        ("ModelBody", "capabilities") => () => new JsonArray("text_generation", $"fuzz_{random.Next(5)}"),
        ("ModelBody", "provider") => () => "fuzz",
        (_, "tier" or "min_tier") => () => random.Next(1, 4),
        (_, "context_window" or "context_length") => () => random.Next(0, 200_000),
        (_, "complexity") => () => random.Next(3) switch { 0 => "low", 1 => "medium", _ => "high" },
        (_, "task_type") => () => random.Next(2) == 0 ? "text_generation" : "code_generation",
        (_, "metadata") => () => new JsonObject { ["team"] = "fuzz", ["n"] = random.Next(10) },
        (_, "metrics") => () => new JsonObject { ["cpu_percent"] = Math.Round(random.NextDouble() * 100, 1), ["active_connections"] = random.Next(10) },
        (_, "health{}") => () => "healthy",
        ("CreateApiKey", "name") => () => $"fuzz key {random.Next(100)}",
        ("CreateApiKey", "role") => () => random.Next(4) switch { 0 => "admin", 1 => "component", 2 => "monitor", _ => "user" },
        ("IssueToken", "api_key") => () => "tk_" + Guid.NewGuid().ToString("N"),
        _ => null,
    };

    private (byte[]? Body, string? ContentType, string Mutation) Mutate(JsonNode? node, string? contentType, string mutation)
    {
        var targets = new List<(JsonNode Parent, string? Key, int Index, string Name)>();
        Collect(node, string.Empty, targets);
        (JsonNode Parent, string? Key, int Index, string Name)? target = targets.Count == 0 ? null : targets[random.Next(targets.Count)];
        switch (mutation)
        {
            case "not json":
                return (Encoding.UTF8.GetBytes(random.Next(4) switch { 0 => "{\"component_id\":", 1 => "not json", 2 => "{'a':1}", _ => "{\"a\":1}}" }), contentType, mutation);
            case "top level":
                return (Encoding.UTF8.GetBytes(random.Next(5) switch { 0 => "null", 1 => "[]", 2 => "42", 3 => "\"text\"", _ => string.Empty }), contentType, mutation);
            case "wrong content type":
                return (Encoding.UTF8.GetBytes(node?.ToJsonString() ?? "{}"), random.Next(3) switch { 0 => "text/plain", 1 => null, _ => "application/xml" }, mutation);
            case "oversize body":
                return (Encoding.UTF8.GetBytes($$"""{"component_name":"{{new string('o', 1_100_000)}}"}"""), contentType, mutation);
            case "invalid utf-8" when node is JsonObject:
                var text = Encoding.UTF8.GetBytes(node.ToJsonString()[..^1]);
                byte[] broken = random.Next(3) switch { 0 => [0xC3, 0x28], 1 => [0xFF, 0xFE], _ => [0xED, 0xA0, 0x80] };
                var separator = text.Length > 1 ? "," : string.Empty;
                return ([.. text, .. Encoding.UTF8.GetBytes(separator + "\"component_name\":\""), .. broken, .. "\"}"u8], contentType, mutation);
            case "path id" or "query value" or "valid" or "unexpected body" or "invalid utf-8":
                return (Encoding.UTF8.GetBytes(node?.ToJsonString() ?? "{}"), contentType, mutation);
        }

        if (target is not { } t)
        {
            return (Encoding.UTF8.GetBytes(node?.ToJsonString() ?? "{}"), contentType, mutation + " (nothing to mutate)");
        }

        if (mutation == "missing field")
        {
            Remove(t);
            return (Encoding.UTF8.GetBytes(node!.ToJsonString()), contentType, $"{mutation} {t.Name}");
        }

        if (mutation == "extra field")
        {
            var holder = t.Parent is JsonObject o ? o : node as JsonObject;
            holder?.Add($"fuzz_extra_{random.Next(1000)}", random.Next(2) == 0 ? "x" : new JsonObject { ["status"] = "ready" });
            return (Encoding.UTF8.GetBytes(node!.ToJsonString()), contentType, $"{mutation} near {t.Name}");
        }

        if (mutation == "deep nesting")
        {
            // Built as text: JsonNode refuses to write more than 64 levels, and the point is to send more.
            Set(t, DeepMarker);
            var depth = random.Next(2) == 0 ? 33 : 5_000;
            var open = string.Concat(Enumerable.Range(0, depth).Select(i => i % 2 == 0 ? "[" : "{\"a\":"));
            var close = string.Concat(Enumerable.Range(0, depth).Reverse().Select(i => i % 2 == 0 ? "]" : "}"));
            var json = node!.ToJsonString().Replace($"\"{DeepMarker}\"", open + "1" + close, StringComparison.Ordinal);
            return (Encoding.UTF8.GetBytes(json), contentType, $"{mutation} {depth} at {t.Name}");
        }

        Set(t, Replacement(mutation, t.Name));
        return (Encoding.UTF8.GetBytes(node!.ToJsonString()), contentType, $"{mutation} at {t.Name}");
    }

    private JsonNode? Replacement(string mutation, string name)
    {
        var field = name.Split('.', '[').Last();
        if (field is "host" or "endpoint" && mutation is "huge string" or "unicode")
        {
            return field == "host" ? RefusedHosts[random.Next(RefusedHosts.Length)] : RefusedEndpoints[random.Next(RefusedEndpoints.Length)];
        }

        if (field == "command" && mutation is "huge string" or "unicode")
        {
            // A command is never anything but these two, even mutated.
            return random.Next(2) == 0 ? MissingCommand : "true";
        }

        return mutation switch
        {
            "wrong type" => random.Next(6) switch
            {
                0 => "a string",
                1 => 12345,
                2 => true,
                3 => new JsonArray(1, "two"),
                4 => new JsonObject { ["nested"] = 1 },
                _ => 1.5,
            },
            "boundary number" => BoundaryNumbers[random.Next(BoundaryNumbers.Length)]?.DeepClone(),
            "huge string" => new string('h', random.Next(2) == 0 ? 10_000 : 300_000),
            "huge array" => new JsonArray(Enumerable.Range(0, random.Next(2) == 0 ? 1_000 : 20_000).Select(i => (JsonNode?)$"item{i}").ToArray()),
            "unicode" => NastyStrings[random.Next(NastyStrings.Length)],
            _ => null,
        };
    }

    private static void Collect(JsonNode? node, string path, List<(JsonNode Parent, string? Key, int Index, string Name)> targets)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    targets.Add((o, key, -1, path + "." + key));
                    Collect(child, path + "." + key, targets);
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    targets.Add((a, null, i, $"{path}[{i}]"));
                    Collect(a[i], $"{path}[{i}]", targets);
                }

                break;
        }
    }

    private static void Remove((JsonNode Parent, string? Key, int Index, string Name) target)
    {
        if (target.Parent is JsonObject o)
        {
            o.Remove(target.Key!);
        }
        else
        {
            target.Parent.AsArray().RemoveAt(target.Index);
        }
    }

    private static void Set((JsonNode Parent, string? Key, int Index, string Name) target, JsonNode? value)
    {
        if (target.Parent is JsonObject o)
        {
            o[target.Key!] = value;
        }
        else
        {
            target.Parent.AsArray()[target.Index] = value;
        }
    }
}
