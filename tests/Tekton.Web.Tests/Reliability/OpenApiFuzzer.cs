using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tekton.Web.Tests.Reliability;

/// <summary>
/// Drives every operation of a server's own OpenAPI document with generated and mutated requests, from a seed, and
/// checks every answer against the contract: no 5xx beyond the documented 503/504, every error problem+json with a
/// documented code at its documented status, every 2xx valid against the operation's response schema.
/// </summary>
internal sealed partial class OpenApiFuzzer
{
    /// <summary>The statuses each Tekton code may come with (design §4, docs/api.md "Which error gives which code").</summary>
    public static readonly IReadOnlyDictionary<int, int[]> StatusesByCode = new Dictionary<int, int[]>
    {
        [1000] = [400, 404, 405, 415],
        [1001] = [404],
        [1002] = [400],
        [1003] = [409],
        [1004] = [409],
        [1005] = [409],
        [1006] = [504],
        [1007] = [409, 413, 429],
        [1008] = [401, 403],
        [1009] = [404],
        [1010] = [503],
        [1011] = [409],
        [1012] = [409],
    };

    // Operations documented to wait (a start with ?wait=true, a stop of a self-started component, a long poll):
    // the fuzzer gives up on them after a short while and counts them apart.
    private static readonly HashSet<string> Waiting = ["StartComponent", "StopComponent", "WaitForSignal"];

    private readonly HttpClient _client;
    private readonly SchemaChecker _schemas;
    private readonly IReadOnlyList<FuzzOperation> _operations;
    private readonly FuzzPools _pools = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<string, int> _perOperation = new();
    private readonly ConcurrentDictionary<string, int> _kinds = new();
    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private readonly ConcurrentDictionary<string, int> _succeeded = new();
    private int _sent;
    private int _abandoned;

    private OpenApiFuzzer(HttpClient client, JsonObject document)
    {
        _client = client;
        _schemas = new SchemaChecker(document);
        _operations = FuzzOperation.All(document);
    }

    public IReadOnlyList<FuzzOperation> Operations => _operations;

    public int Sent => _sent;

    public int Abandoned => _abandoned;

    public IReadOnlyCollection<string> Failures => _failures;

    public IReadOnlyDictionary<string, int> PerOperation => _perOperation;

    /// <summary>How many requests of each operation succeeded (2xx).</summary>
    public IReadOnlyDictionary<string, int> Succeeded => _succeeded;

    /// <summary>How many answers came with each HTTP status.</summary>
    public IReadOnlyDictionary<int, int> Statuses => _statuses;

    /// <summary>Reads the server's own OpenAPI document through <paramref name="client"/>.</summary>
    public static async Task<OpenApiFuzzer> ForAsync(HttpClient client)
    {
        var text = await client.GetStringAsync("/openapi/v1.json");
        return new OpenApiFuzzer(client, JsonNode.Parse(text)!.AsObject());
    }

    /// <summary>Sends <paramref name="requests"/> requests from <paramref name="workers"/> loops, each seeded from <paramref name="seed"/>.</summary>
    public async Task RunAsync(int seed, int requests, int workers, Func<Random, string?>? credentials = null)
    {
        await Task.WhenAll(Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(unchecked((seed * 397) ^ worker));
            var factory = new RequestFactory(_schemas, _pools, random);
            // Registrations first, so that the other operations find components, instances and models to act on.
            var warmup = _operations.Where(o => o.Id is "RegisterComponent" or "PostModel").ToList();
            for (var i = 0; Interlocked.Increment(ref _sent) <= requests && _failures.Count < 20; i++)
            {
                var operation = i < 10 ? warmup[i % warmup.Count] : Pick(random);
                var request = factory.Next(operation);
                var auth = credentials?.Invoke(random);
                _perOperation.AddOrUpdate(operation.Id, 1, (_, n) => n + 1);
                // One report per kind of failure and operation, so that one defect does not hide the others.
                if (await SendAsync(request, auth) is { } failure && _kinds.TryAdd($"{operation.Id}: {failure.Split('\n')[0]}", 0))
                {
                    _failures.Enqueue($"seed {seed}, worker {worker}: {failure}\n--- request ---\n{request}");
                }
            }
        })));
        _sent = Math.Min(_sent, requests);
    }

    /// <summary>An operation, drawn so that what the others act on is created more often than it is deleted.</summary>
    private FuzzOperation Pick(Random random)
    {
        while (true)
        {
            var operation = _operations[random.Next(_operations.Count)];
            var weight = operation.Id switch
            {
                "RegisterComponent" => 1.0,
                "PostModel" or "PutModel" or "CreateApiKey" => 0.6,
                "DeregisterComponent" or "DeleteModel" or "DeleteApiKey" => 0.1,
                _ => 0.3,
            };
            if (random.NextDouble() < weight)
            {
                return operation;
            }
        }
    }

    /// <summary>Deregisters every component, which stops whatever Tekton launched for it.</summary>
    public static async Task CleanUpAsync(HttpClient admin)
    {
        var list = JsonNode.Parse(await admin.GetStringAsync("/api/tekton/components"))!;
        foreach (var component in list["components"]!.AsArray())
        {
            using var response = await admin.DeleteAsync($"/api/tekton/components/{Uri.EscapeDataString(component!["component_id"]!.GetValue<string>())}");
        }
    }

    private async Task<string?> SendAsync(FuzzRequest request, string? authorization)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Operation.Method), request.PathAndQuery);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            message.Content.Headers.ContentType = request.ContentType is null ? null : MediaTypeHeaderValue.Parse(request.ContentType);
            // As a careful client sends a large body: Tekton can then refuse it (413) before it is uploaded, not halfway through.
            message.Headers.ExpectContinue = request.Body.Length > 1024 * 1024;
        }

        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (authorization is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", authorization);
            request.Headers.Add(("Authorization", authorization));
        }

        var waits = Waiting.Contains(request.Operation.Id);
        using var timeout = new CancellationTokenSource(waits ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(20));
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await _client.SendAsync(message, timeout.Token);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            var broken = Check(request, response, body);
            if (broken is null && (int)response.StatusCode is >= 200 and < 300 && Route(request.Operation.Method, request.PathAndQuery) == request.Operation)
            {
                _succeeded.AddOrUpdate(request.Operation.Id, 1, (_, n) => n + 1);
                Learn(request, body);
            }

            return broken is null ? null : $"{broken}\n--- answer {(int)response.StatusCode} {response.Content.Headers.ContentType} ---\n{Shorten(Encoding.UTF8.GetString(body))}";
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            if (waits)
            {
                Interlocked.Increment(ref _abandoned);
                return null;
            }

            return $"no answer within {watch.Elapsed.TotalSeconds:0} s";
        }
        catch (HttpRequestException exception)
        {
            return $"the connection failed: {exception.Message} {exception.InnerException?.Message}";
        }
    }

    /// <summary>
    /// The operation a path reaches once its dot segments are resolved, as the client and Kestrel both do
    /// (<c>/components/%2e%2e/resources</c> is <c>/resources</c>); null when none does.
    /// </summary>
    public FuzzOperation? Route(string method, string pathAndQuery)
    {
        var segments = new List<string>();
        foreach (var raw in pathAndQuery.Split('?')[0].Split('/').Skip(1))
        {
            var segment = raw.Replace("%2e", ".", StringComparison.OrdinalIgnoreCase);
            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
            }
            else if (segment != ".")
            {
                segments.Add(segment);
            }
        }

        return _operations
            .Where(o => o.Method == method)
            .Select(o => (Operation: o, Template: o.Template.Split('/').Skip(1).ToArray()))
            .Where(t => t.Template.Length == segments.Count
                && t.Template.Zip(segments).All(p => p.First.StartsWith('{') ? p.Second.Length > 0 : p.First == p.Second))
            .OrderByDescending(t => t.Template.Count(part => !part.StartsWith('{')))
            .Select(t => t.Operation)
            .FirstOrDefault();
    }

    private string? Check(FuzzRequest request, HttpResponseMessage response, byte[] body)
    {
        var status = (int)response.StatusCode;
        _statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (status is >= 200 and < 300)
        {
            if (Route(request.Operation.Method, request.PathAndQuery) is not { } operation)
            {
                return $"{status} for a path that no operation documents";
            }

            if (operation.Response(status) is not { } documented)
            {
                return $"{status} is not a documented answer of {operation.Id}";
            }

            var documentedSchema = documented["content"]?["application/json"]?["schema"];
            if (documentedSchema is null)
            {
                return body.Length == 0 ? null : $"{status} of {operation.Id} documents no body, yet one came";
            }

            if (mediaType != "application/json")
            {
                return $"a {status} answer of {operation.Id} is '{mediaType}', not application/json";
            }

            return TryParse(body) is not { } answer ? $"the {status} answer is not JSON"
                : _schemas.Violation(answer, documentedSchema) is { } violation ? $"the {status} answer breaks its schema: {violation}" : null;
        }

        // Kestrel refuses a NUL in the path while parsing, before any middleware can shape the answer (decision in docs/api.md).
        if (request.RefusedByKestrel && status == 400 && body.Length == 0)
        {
            return null;
        }

        if (mediaType != "application/problem+json")
        {
            return $"a {status} answer is '{mediaType}', not application/problem+json";
        }

        if (TryParse(body) is not JsonObject problem)
        {
            return "the problem is not a JSON object";
        }

        if (problem["code"] is not JsonValue codeValue || !codeValue.TryGetValue<int>(out var code) || !StatusesByCode.TryGetValue(code, out var statuses))
        {
            return $"'code' {problem["code"]?.ToJsonString() ?? "is missing"} is not a documented Tekton code";
        }

        if (Route(request.Operation.Method, request.PathAndQuery) is { } routed && routed.Response(status) is null)
        {
            return $"HTTP {status} (code {code}) is not a documented answer of {routed.Id}";
        }

        if (!statuses.Contains(status))
        {
            return $"code {code} came with HTTP {status}; design §4 gives it {string.Join(" or ", statuses)}";
        }

        if (problem["success"]?.GetValueKind() != JsonValueKind.False || problem["trace_id"] is not JsonValue trace || !trace.TryGetValue<string>(out var traceId))
        {
            return "the problem lacks success:false or trace_id";
        }

        if (!TraceId().IsMatch(traceId) || traceId.Contains("-00000000000000000000000000000000-", StringComparison.Ordinal))
        {
            return $"trace_id '{traceId}' is not a W3C trace id";
        }

        if (problem["status"]?.GetValue<int>() != status)
        {
            return $"the problem's status {problem["status"]} is not the HTTP status {status}";
        }

        var schema = Route(request.Operation.Method, request.PathAndQuery)?.Response(status)?["content"]?["application/problem+json"]?["schema"]
            ?? new JsonObject { ["$ref"] = "#/components/schemas/ProblemDetails" };
        return _schemas.Violation(problem, schema) is { } broken ? $"the problem breaks the ProblemDetails schema: {broken}" : null;
    }

    private void Learn(FuzzRequest request, byte[] body)
    {
        var answer = TryParse(body);
        var sent = request.Body is null ? null : TryParse(request.Body);
        var id = request.Operation.Id;
        if (id == "RegisterComponent" && (sent as JsonObject)?["component_id"] is JsonValue component && component.TryGetValue<string>(out var componentId)
            && answer is JsonObject registered && Guid.TryParse(registered["instance_uuid"]?.GetValue<string>(), out var instance))
        {
            _pools.AddInstance(componentId, instance);
        }
        else if (id is "PostModel" or "PutModel" && answer is JsonObject model)
        {
            _pools.AddModel(model["id"]!.GetValue<string>());
        }
        else if (id == "CreateApiKey" && answer is JsonObject key)
        {
            _pools.AddKey(key["id"]!.GetValue<string>());
        }
    }

    private static JsonNode? TryParse(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")]
    private static partial System.Text.RegularExpressions.Regex TraceId();

    private static string Shorten(string text) => text.Length > 2000 ? text[..2000] + "…" : text;
}
