using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Tekton.Client.Tests.Service;

/// <summary>Retries against a real socket that answers what each test scripts, attempt by attempt.</summary>
public sealed class RetryTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(int Status, string Body, string? RetryAfter)> _script = new();
    private readonly ConcurrentQueue<HttpListenerRequest> _requests = new();
    private readonly TektonClient _client;

    public RetryTests()
    {
        var port = TektonServerProcess.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = ServeAsync();
        _client = new TektonClient(new TektonClientOptions
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Retry = new RetryOptions { MaxAttempts = 4, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) },
        });
    }

    public void Dispose()
    {
        _client.Dispose();
        _listener.Close();
    }

    [Fact]
    public async Task A_transient_failure_is_retried_until_it_succeeds()
    {
        Script(503, """{"status":503,"code":1000,"title":"busy"}""", retryAfter: "0");
        Script(502, "");
        Script(200, """{"version":"1.0.0","build_date":"2026-11-25","git_commit":"abc","api_version":"v1"}""");

        (await _client.GetVersionAsync()).ApiVersion.Should().Be("v1");

        _requests.Should().HaveCount(3);
    }

    [Fact]
    public async Task A_registration_is_retried_with_the_same_idempotency_key()
    {
        Script(503, "");
        Script(429, """{"status":429,"code":1007}""", retryAfter: "0");
        Script(201, """{"success":true,"message":"Component registered successfully","instance_uuid":"3b7e64bc-488c-4bab-81de-d67e3cee27e9"}""");

        var (success, uuid) = await _client.RegisterComponentAsync(new ComponentRegistration("engram", "Engram", "memory", "1.0.0"));

        success.Should().BeTrue();
        uuid.Should().Be(Guid.Parse("3b7e64bc-488c-4bab-81de-d67e3cee27e9"));
        _requests.Select(r => r.Headers["Idempotency-Key"]).Should().HaveCount(3).And.OnlyContain(k => k == _requests.First().Headers["Idempotency-Key"])
            .And.NotContainNulls();
    }

    [Fact]
    public async Task Definite_answers_and_calls_that_are_not_idempotent_are_not_retried()
    {
        Script(404, """{"status":404,"code":1001,"detail":"Component 'x' not found."}""");
        var missing = await FluentActions.Awaiting(() => _client.GetComponentAsync("x")).Should().ThrowAsync<TektonApiException>();
        missing.Which.Code.Should().Be(1001);
        missing.Which.Message.Should().Contain("Component 'x' not found.");
        _requests.Should().HaveCount(1);

        Script(503, """{"status":503,"code":1000}""");
        await FluentActions.Awaiting(() => _client.CreateApiKeyAsync("k", TektonRoles.Monitor)).Should().ThrowAsync<TektonApiException>();
        _requests.Should().HaveCount(2, "creating a key twice would make two keys");

        Script(503, """{"status":503,"code":1000}""", retryAfter: "3600");
        var tooLong = await FluentActions.Awaiting(() => _client.GetVersionAsync()).Should().ThrowAsync<TektonApiException>();
        tooLong.Which.RetryAfter.Should().Be(TimeSpan.FromHours(1));
        _requests.Should().HaveCount(3, "a Retry-After beyond MaxRetryAfter ends the retries");
    }

    [Fact]
    public async Task Retries_give_up_after_MaxAttempts_with_the_last_error()
    {
        for (var i = 0; i < 4; i++)
        {
            Script(504, """{"status":504,"code":1000}""");
        }

        var failed = await FluentActions.Awaiting(() => _client.GetSystemResourcesAsync()).Should().ThrowAsync<TektonApiException>();

        failed.Which.StatusCode.Should().Be(HttpStatusCode.GatewayTimeout);
        _requests.Should().HaveCount(4);
    }

    [Fact]
    public void Back_off_has_full_jitter_under_a_growing_ceiling()
    {
        var retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(1000) };

        var delays = Enumerable.Range(0, 200).Select(_ => retry.DelayBefore(3, null)).ToList();

        delays.Should().OnlyContain(d => d >= TimeSpan.Zero && d <= TimeSpan.FromMilliseconds(400));
        delays.Distinct().Count().Should().BeGreaterThan(100, "each retry draws its own delay");
        Enumerable.Range(0, 50).Select(_ => retry.DelayBefore(10, null)).Should().OnlyContain(d => d <= TimeSpan.FromMilliseconds(1000));
        retry.DelayBefore(1, TimeSpan.FromSeconds(2)).Should().Be(TimeSpan.FromSeconds(2), "the server's Retry-After wins");
    }

    private void Script(int status, string body, string? retryAfter = null) => _script.Enqueue((status, body, retryAfter));

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _requests.Enqueue(context.Request);
            var (status, body, retryAfter) = _script.TryDequeue(out var next) ? next : (500, "", null);
            context.Response.StatusCode = status;
            context.Response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
            if (retryAfter is not null)
            {
                context.Response.Headers["Retry-After"] = retryAfter;
            }

            var bytes = Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
