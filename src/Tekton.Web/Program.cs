using Tekton.Application;
using Tekton.Infrastructure;
using Tekton.Web;

var builder = WebApplication.CreateBuilder(args);

builder.AddApplicationServices();
builder.AddInfrastructureServices();
builder.AddWebServices();

var app = builder.Build();

app.UseTektonPipeline();
app.MapTektonEndpoints();

app.Run();

/// <summary>The entry point, visible to tests that host the real application.</summary>
public partial class Program;
