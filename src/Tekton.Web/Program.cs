using Tekton.Application;
using Tekton.Infrastructure;
using Tekton.Web;

var builder = WebApplication.CreateBuilder(args);

// Infrastructure first: its hosted services (migrations, the registry writer) start before Application's (boot, supervision).
builder.AddInfrastructureServices();
builder.AddApplicationServices();
builder.AddWebServices();

var app = builder.Build();

app.UseTektonPipeline();
app.MapTektonEndpoints();

app.Run();

/// <summary>The entry point, visible to tests that host the real application.</summary>
public partial class Program;
