using System.Globalization;
using System.Runtime.InteropServices;
using Tekton.Client;

// A sample Tekton component on the hosting integration: it serves /health, and AddTektonComponent registers it
// (attaching to the instance Tekton launched), sends heartbeats and resource reports, marks it ready once the
// host has started, stops the host on Tekton's shutdown signal, and reports stopping and stopped.
var options = SampleOptions.Parse(args);
var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls($"http://127.0.0.1:{options.Port}");
builder.Logging.ClearProviders().AddSimpleConsole(console => console.SingleLine = true);
builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

builder.Services.AddTektonComponent(tekton =>
{
    tekton.Registration = new ComponentRegistration(options.Id, $"{options.Id} (sample)", options.Type, "1.0.0")
    {
        Dependencies = options.DependsOn,
        Host = "127.0.0.1",
        Port = options.Port,
        HealthCheck = "/health",
        HeartbeatInterval = 2,
    };
    tekton.ResourceReportInterval = TimeSpan.FromSeconds(5);
    tekton.OnShutdownSignal = _ => Console.WriteLine("shutdown signal received");
});
builder.Services.AddHostedService(_ => new Initialization(TimeSpan.FromSeconds(options.StartupDelay)));

var app = builder.Build();
app.MapGet("/health", () => Results.Json(new { status = "ok", api = "healthy" }));
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine("ready"));

// The host stops on SIGTERM by itself; the line only makes the logs say why.
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Console.WriteLine("SIGTERM received"));
try
{
    await app.RunAsync();
}
catch (InvalidOperationException exception)
{
    // Registration (or the dependency wait) failed: the host did not start.
    Console.Error.WriteLine(exception.Message);
    return 1;
}

Console.WriteLine("stopped");
return 0;

/// <summary>Stands for the work a real component does before it can serve: the host starts after it.</summary>
internal sealed class Initialization(TimeSpan delay) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed record SampleOptions(string Id, string Type, int Port, string[] DependsOn, double StartupDelay)
{
    public static SampleOptions Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
        }

        return new SampleOptions(
            Value("--id", Environment.GetEnvironmentVariable("TEKTON_COMPONENT_ID") ?? "sample"),
            Value("--type", "service"),
            int.Parse(Value("--port", "8100"), CultureInfo.InvariantCulture),
            Value("--depends-on", string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries),
            double.Parse(Value("--startup-delay", "0.5"), CultureInfo.InvariantCulture));
    }
}
