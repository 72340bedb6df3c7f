using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

// A sample Tekton component: /health, registration, heartbeats, ready, and a graceful answer to shutdown.
var options = Options.Parse(args);
var tekton = new HttpClient { BaseAddress = new Uri(Environment.GetEnvironmentVariable("TEKTON_URL") ?? "http://127.0.0.1:8010") };
using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    Console.WriteLine("SIGTERM received");
    stop.Cancel();
});

using var health = new HttpListener();
health.Prefixes.Add($"http://127.0.0.1:{options.Port}/");
health.Start();
_ = Task.Run(async () =>
{
    while (health.IsListening)
    {
        var context = await health.GetContextAsync();
        var body = Encoding.UTF8.GetBytes("""{"status":"ok","api":"healthy"}""");
        context.Response.StatusCode = context.Request.Url?.AbsolutePath == "/health" ? 200 : 404;
        context.Response.ContentType = "application/json";
        await context.Response.OutputStream.WriteAsync(body);
        context.Response.Close();
    }
});

// Register: attach to the instance Tekton launched, if it launched this process.
var registration = new JsonObject
{
    ["component_id"] = options.Id,
    ["component_name"] = $"{options.Id} (sample)",
    ["component_type"] = options.Type,
    ["version"] = "1.0.0",
    ["dependencies"] = new JsonArray([.. options.DependsOn.Select(d => JsonValue.Create(d))]),
    ["host"] = "127.0.0.1",
    ["port"] = options.Port,
    ["health_check"] = "/health",
    ["heartbeat_interval"] = 2,
};
if (Environment.GetEnvironmentVariable("TEKTON_INSTANCE_UUID") is { Length: > 0 } launched)
{
    registration["instance_uuid"] = launched;
}

using var registered = await tekton.PostAsJsonAsync("/api/tekton/components", registration);
var instance = (await registered.Content.ReadFromJsonAsync<JsonObject>())!["instance_uuid"]!.GetValue<string>();
Console.WriteLine($"registered {options.Id} as instance {instance}");

await Task.Delay(TimeSpan.FromSeconds(options.StartupDelay));
await ReportAsync("ready", "initialized");
Console.WriteLine("ready");

var heartbeats = Task.Run(async () =>
{
    while (!stop.IsCancellationRequested)
    {
        using var _ = await tekton.PostAsJsonAsync($"/api/tekton/components/{options.Id}/heartbeat",
            new JsonObject { ["instance_uuid"] = instance, ["metrics"] = new JsonObject { ["active_connections"] = 0 } });
        await Task.Delay(TimeSpan.FromSeconds(2), stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
    }
});

while (!stop.IsCancellationRequested)
{
    try
    {
        using var signal = await tekton.GetAsync($"/api/tekton/components/{options.Id}/instances/{instance}/signals?wait=30", stop.Token);
        if (signal.StatusCode == HttpStatusCode.OK)
        {
            Console.WriteLine("shutdown signal received");
            break;
        }
    }
    catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
    {
        await Task.Delay(500);
    }
}

await stop.CancelAsync();
await heartbeats;
await ReportAsync("stopping", "shutdown requested");
health.Stop();
await ReportAsync("stopped", "shut down cleanly");
Console.WriteLine("stopped");
return 0;

async Task ReportAsync(string state, string reason)
{
    using var response = await tekton.PutAsJsonAsync(
        $"/api/tekton/components/{options.Id}/instances/{instance}/state", new JsonObject { ["state"] = state, ["reason"] = reason });
}

internal sealed record Options(string Id, string Type, int Port, string[] DependsOn, double StartupDelay)
{
    public static Options Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
        }

        return new Options(
            Value("--id", Environment.GetEnvironmentVariable("TEKTON_COMPONENT_ID") ?? "sample"),
            Value("--type", "service"),
            int.Parse(Value("--port", "8100"), CultureInfo.InvariantCulture),
            Value("--depends-on", string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries),
            double.Parse(Value("--startup-delay", "0.5"), CultureInfo.InvariantCulture));
    }
}
