using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Tekton.Client;

public sealed partial class TektonClient
{
    private const string Components = "api/tekton/components";

    // ---- Components -------------------------------------------------------------------------------------

    /// <summary>
    /// Registers a component (<c>POST /api/tekton/components</c>). The request carries an
    /// <c>Idempotency-Key</c> (a new one unless <paramref name="idempotencyKey"/> is given), so a retry after a
    /// lost answer gets the first answer and creates no second instance.
    /// </summary>
    public async Task<RegistrationResult> RegisterComponentAsync(
        ComponentRegistration registration, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var call = new Call(HttpMethod.Post, Components, registration)
        {
            Headers = [("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString("N"))],
        };
        using var response = await SendRawAsync(call, cancellationToken).ConfigureAwait(false);
        var result = await ReadAsync<RegistrationResult>(response, cancellationToken).ConfigureAwait(false);
        return result with { Created = response.StatusCode == HttpStatusCode.Created };
    }

    /// <summary>Lists components in registration order; each filter given must match exactly.</summary>
    public async Task<IReadOnlyList<ComponentSummary>> ListComponentsAsync(
        string? status = null, string? type = null, string? capability = null, CancellationToken cancellationToken = default)
    {
        var page = await GetAsync<ComponentList>(
            Components + Query(("status", status), ("type", type), ("capability", capability)), cancellationToken).ConfigureAwait(false);
        return page.Components;
    }

    /// <summary>The components that offer <paramref name="capability"/>.</summary>
    public Task<IReadOnlyList<ComponentSummary>> FindComponentsByCapabilityAsync(string capability, CancellationToken cancellationToken = default) =>
        ListComponentsAsync(capability: capability, cancellationToken: cancellationToken);

    /// <summary>One component with its instances (<c>404</c>/1001 when it is not registered).</summary>
    public Task<ComponentDetails> GetComponentAsync(string componentId, CancellationToken cancellationToken = default) =>
        GetAsync<ComponentDetails>($"{Components}/{Segment(componentId)}", cancellationToken);

    /// <summary>The status of the component's current instance, with its health.</summary>
    public Task<ComponentStatus> GetComponentStatusAsync(string componentId, CancellationToken cancellationToken = default) =>
        GetAsync<ComponentStatus>($"{Components}/{Segment(componentId)}/status", cancellationToken);

    /// <summary>Deregisters a component, stopping what Tekton runs for it.</summary>
    public Task<OperationResult> DeregisterComponentAsync(string componentId, CancellationToken cancellationToken = default) =>
        SendAsync<OperationResult>(new Call(HttpMethod.Delete, $"{Components}/{Segment(componentId)}"), cancellationToken);

    // ---- Lifecycle --------------------------------------------------------------------------------------

    /// <summary>Sends one heartbeat.</summary>
    public Task<HeartbeatResult> SendHeartbeatAsync(string componentId, Heartbeat? heartbeat = null, CancellationToken cancellationToken = default) =>
        SendAsync<HeartbeatResult>(new Call(HttpMethod.Post, $"{Components}/{Segment(componentId)}/heartbeat", heartbeat ?? new Heartbeat()), cancellationToken);

    /// <summary>Reports a state change of an instance (<c>PUT …/instances/{uuid}/state</c>).</summary>
    public Task<StateChangeResult> ChangeInstanceStateAsync(
        string componentId, Guid instanceUuid, string state, string? reason = null, CancellationToken cancellationToken = default) =>
        SendAsync<StateChangeResult>(
            new Call(HttpMethod.Put, $"{Components}/{Segment(componentId)}/instances/{instanceUuid}/state", new StateChange(state, reason)),
            cancellationToken);

    /// <summary>
    /// Starts a component and every dependency it needs. With <paramref name="wait"/> the call returns when the
    /// component is ready, or throws the error that kept it from becoming ready.
    /// </summary>
    public Task<StartResult> StartComponentAsync(
        string componentId, bool wait = false, TimeSpan? dependencyTimeout = null, CancellationToken cancellationToken = default)
    {
        var query = Query(
            ("wait", wait ? "true" : null),
            ("dependency_timeout", dependencyTimeout is { } t ? t.TotalSeconds.ToString(CultureInfo.InvariantCulture) : null));
        // A waited start lasts as long as the start-up; the caller's token bounds it.
        var call = new Call(HttpMethod.Post, $"{Components}/{Segment(componentId)}/start{query}")
        {
            ExtraTime = wait ? TimeSpan.FromHours(2) : TimeSpan.Zero,
        };
        return SendAsync<StartResult>(call, cancellationToken);
    }

    /// <summary>Stops a component's instances; answers once they are stopped.</summary>
    public Task<OperationResult> StopComponentAsync(string componentId, StopOptions? options = null, CancellationToken cancellationToken = default)
    {
        var timeout = options?.Timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(3600);
        var call = new Call(HttpMethod.Post, $"{Components}/{Segment(componentId)}/stop", options ?? new StopOptions())
        {
            ExtraTime = timeout + TimeSpan.FromSeconds(5),
        };
        return SendAsync<OperationResult>(call, cancellationToken);
    }

    /// <summary>The last <paramref name="tail"/> lines of an instance's output (default: the current instance, 200 lines).</summary>
    public Task<ComponentLogs> GetComponentLogsAsync(
        string componentId, int? tail = null, Guid? instanceUuid = null, CancellationToken cancellationToken = default) =>
        GetAsync<ComponentLogs>(
            $"{Components}/{Segment(componentId)}/logs" + Query(("tail", tail?.ToString(CultureInfo.InvariantCulture)), ("instance_uuid", instanceUuid?.ToString())),
            cancellationToken);

    /// <summary>
    /// Long-polls the control signals of an instance for up to <paramref name="wait"/> (at most 60 s);
    /// <c>null</c> when none came.
    /// </summary>
    public async Task<ControlSignal?> WaitForSignalAsync(
        string componentId, Guid instanceUuid, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        var seconds = (int)Math.Clamp(Math.Ceiling(wait.TotalSeconds), 0, 60);
        var call = new Call(HttpMethod.Get, $"{Components}/{Segment(componentId)}/instances/{instanceUuid}/signals?wait={seconds}")
        {
            ExtraTime = TimeSpan.FromSeconds(seconds),
        };
        using var response = await SendRawAsync(call, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.NoContent ? null : await ReadAsync<ControlSignal>(response, cancellationToken).ConfigureAwait(false);
    }

    // ---- Dependencies -----------------------------------------------------------------------------------

    /// <summary>The whole dependency graph with the startup order, cycles and missing dependencies.</summary>
    public Task<DependencyGraph> GetDependencyGraphAsync(CancellationToken cancellationToken = default) =>
        GetAsync<DependencyGraph>("api/tekton/dependencies", cancellationToken);

    /// <summary>What a component depends on and what depends on it.</summary>
    public Task<ComponentDependencies> GetComponentDependenciesAsync(string componentId, CancellationToken cancellationToken = default) =>
        GetAsync<ComponentDependencies>($"{Components}/{Segment(componentId)}/dependencies", cancellationToken);

    // ---- Resources --------------------------------------------------------------------------------------

    /// <summary>CPU, memory, disk and GPUs of Tekton's machine.</summary>
    public Task<SystemResources> GetSystemResourcesAsync(CancellationToken cancellationToken = default) =>
        GetAsync<SystemResources>("api/tekton/resources", cancellationToken);

    /// <summary>The retained resource samples, oldest first (the last <paramref name="minutes"/>, or all).</summary>
    public Task<ResourceHistory> GetResourceHistoryAsync(int? minutes = null, CancellationToken cancellationToken = default) =>
        GetAsync<ResourceHistory>("api/tekton/resources/history" + Query(("minutes", minutes?.ToString(CultureInfo.InvariantCulture))), cancellationToken);

    /// <summary>A component's resource usage, measured and reported.</summary>
    public Task<ComponentResources> GetComponentResourcesAsync(string componentId, CancellationToken cancellationToken = default) =>
        GetAsync<ComponentResources>($"{Components}/{Segment(componentId)}/resources", cancellationToken);

    /// <summary>Reports a component's own resource usage (what <see cref="ResourceReporter"/> sends).</summary>
    public Task<OperationResult> ReportResourcesAsync(string componentId, ResourceUsage usage, CancellationToken cancellationToken = default) =>
        SendAsync<OperationResult>(new Call(HttpMethod.Post, $"{Components}/{Segment(componentId)}/resources", usage), cancellationToken);

    // ---- Models and routing -----------------------------------------------------------------------------

    /// <summary>The model catalog, ordered by id; each filter given must hold.</summary>
    public async Task<IReadOnlyList<ModelInfo>> ListModelsAsync(
        string? capability = null, string? provider = null, string? status = null, CancellationToken cancellationToken = default) =>
        (await GetAsync<ModelList>("api/tekton/models" + Query(("capability", capability), ("provider", provider), ("status", status)), cancellationToken)
            .ConfigureAwait(false)).Models;

    /// <summary>One model.</summary>
    public Task<ModelInfo> GetModelAsync(string modelId, CancellationToken cancellationToken = default) =>
        GetAsync<ModelInfo>($"api/tekton/models/{Segment(modelId)}", cancellationToken);

    /// <summary>Adds a model to the catalog, or replaces one added through the API.</summary>
    public Task<ModelInfo> AddModelAsync(ModelInfo model, CancellationToken cancellationToken = default) =>
        SendAsync<ModelInfo>(new Call(HttpMethod.Post, "api/tekton/models", model), cancellationToken);

    /// <summary>Creates or replaces the model <paramref name="modelId"/>.</summary>
    public Task<ModelInfo> PutModelAsync(string modelId, ModelInfo model, CancellationToken cancellationToken = default) =>
        SendAsync<ModelInfo>(new Call(HttpMethod.Put, $"api/tekton/models/{Segment(modelId)}", model), cancellationToken);

    /// <summary>Removes a model added through the API.</summary>
    public Task<OperationResult> DeleteModelAsync(string modelId, CancellationToken cancellationToken = default) =>
        SendAsync<OperationResult>(new Call(HttpMethod.Delete, $"api/tekton/models/{Segment(modelId)}"), cancellationToken);

    /// <summary>Chooses the model for a task (404/1009 when none fits, 503/1010 when none is available).</summary>
    public Task<RouteResult> RouteTaskAsync(RouteRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<RouteResult>(new Call(HttpMethod.Post, "api/tekton/route", request), cancellationToken);

    /// <summary>Chooses the model for a task, as the reference's <c>route_task(task_type, complexity, context_length)</c>.</summary>
    public Task<RouteResult> RouteTaskAsync(
        string taskType, string complexity = "medium", long contextLength = 0, CancellationToken cancellationToken = default) =>
        RouteTaskAsync(new RouteRequest { TaskType = taskType, Complexity = complexity, ContextLength = contextLength }, cancellationToken);

    /// <summary>Every capability with the models that declare it.</summary>
    public async Task<IReadOnlyList<CapabilityInfo>> GetCapabilitiesAsync(CancellationToken cancellationToken = default) =>
        (await GetAsync<CapabilityList>("api/tekton/capabilities", cancellationToken).ConfigureAwait(false)).Capabilities;

    // ---- Service ----------------------------------------------------------------------------------------

    /// <summary>Tekton's version and the API version.</summary>
    public Task<VersionInfo> GetVersionAsync(CancellationToken cancellationToken = default) =>
        GetAsync<VersionInfo>("api/tekton/version", cancellationToken);

    /// <summary>Whether Tekton is ready to serve (<c>GET /health/ready</c>); <c>false</c> when it cannot be reached.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await SendRawAsync(new Call(HttpMethod.Get, "health/ready"), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception exception) when (exception is HttpRequestException or TektonApiException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The Prometheus text of <c>GET /metrics</c>.</summary>
    public async Task<string> GetMetricsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(new Call(HttpMethod.Get, "metrics"), cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    // ---- Security ---------------------------------------------------------------------------------------

    /// <summary>Creates an API key (Admin). The secret is in the answer only. Not retried: a retry would create a second key.</summary>
    public Task<CreatedApiKey> CreateApiKeyAsync(string name, string role, string? componentId = null, CancellationToken cancellationToken = default) =>
        SendAsync<CreatedApiKey>(new Call(HttpMethod.Post, "api/tekton/auth/keys", new NewApiKey(name, role, componentId), Idempotent: false), cancellationToken);

    /// <summary>Every API key, without secrets (Admin).</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken cancellationToken = default) =>
        (await GetAsync<ApiKeyList>("api/tekton/auth/keys", cancellationToken).ConfigureAwait(false)).Keys;

    /// <summary>Revokes an API key and its tokens (Admin).</summary>
    public Task<OperationResult> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default) =>
        SendAsync<OperationResult>(new Call(HttpMethod.Delete, $"api/tekton/auth/keys/{Segment(keyId)}"), cancellationToken);

    /// <summary>Exchanges an API key (default: this client's) for a JWT access token.</summary>
    public Task<AccessToken> IssueTokenAsync(string? apiKey = null, CancellationToken cancellationToken = default)
    {
        var key = apiKey ?? ApiKey ?? throw new InvalidOperationException("No API key: pass one, or create the client with one.");
        return SendAsync<AccessToken>(new Call(HttpMethod.Post, "api/tekton/auth/token", new TokenRequest(key)), cancellationToken);
    }

    /// <summary>A page of the audit trail, newest first (Admin).</summary>
    public Task<AuditPage> GetAuditTrailAsync(int? limit = null, long? beforeId = null, string? outcome = null, CancellationToken cancellationToken = default) =>
        GetAsync<AuditPage>(
            "api/tekton/audit" + Query(
                ("limit", limit?.ToString(CultureInfo.InvariantCulture)),
                ("before_id", beforeId?.ToString(CultureInfo.InvariantCulture)),
                ("outcome", outcome)),
            cancellationToken);

    private sealed record ComponentList(IReadOnlyList<ComponentSummary> Components);

    private sealed record ModelList(IReadOnlyList<ModelInfo> Models);

    private sealed record CapabilityList(IReadOnlyList<CapabilityInfo> Capabilities);

    private sealed record ApiKeyList(IReadOnlyList<ApiKeyInfo> Keys);

    private sealed record StateChange(string State, string? Reason);

    private sealed record NewApiKey(string Name, string Role, string? ComponentId);

    private sealed record TokenRequest(string ApiKey);
}
