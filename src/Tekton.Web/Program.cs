using System.Reflection;
using Tekton.Application;
using Tekton.Infrastructure;
using Tekton.Web;
using Tekton.Web.Security;

// Runtime settings Tekton chooses unless the environment says otherwise (docs/operations.md): socket completions on
// the runtime's event threads, a larger shared array pool. Set before the first socket and the first pooled array.
// Only where Tekton is the process's program; a test host keeps the runtime's defaults.
if (Assembly.GetEntryAssembly() == typeof(Program).Assembly)
{
    RuntimeDefaults.PreferForThisProcess();
}

// Configuration is read once, at start: watching appsettings.json for changes watches the whole content root, and
// with the data folder under it every database write woke the watcher (a tenth of the CPU under registrations).
var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);

// Infrastructure first: its hosted services (migrations, the registry writer) start before Application's (boot, supervision).
builder.AddInfrastructureServices();
builder.AddApplicationServices();
builder.AddWebServices();

var app = builder.Build();

app.UseTektonPipeline();
app.MapTektonEndpoints();

try
{
    app.Run();
}
catch (Exception exception) when (RefusedToStartException.Find(exception) is { } refused)
{
    Console.Error.WriteLine($"Tekton did not start: {refused.Message}");
    return 1;
}

return 0;

/// <summary>The entry point, visible to tests that host the real application.</summary>
public partial class Program;
