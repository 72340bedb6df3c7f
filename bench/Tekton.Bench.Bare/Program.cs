// The ceiling of this stack for build/bench.sh: Kestrel and endpoint routing, one GET and one POST answering
// 200 with a small JSON body, nothing else (no logging, no middleware). Tekton's endpoints are measured as a
// ratio of this app's throughput on the same core, with the same load generator. With --AnswerFile=PATH,
// GET /sized answers that file's bytes instead: the same handler with an answer the size of a real one (the
// benchmark gives it Tekton's answer to a lookup), to show what the answer's size alone costs.

// Its runtime is set up as Tekton sets up its own: socket completions on the event threads unless the environment
// says otherwise (Tekton.Infrastructure.RuntimeDefaults; its array pool setting is for hub connections, and this
// app has none).
const string inlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(inlineCompletions)))
{
    Environment.SetEnvironmentVariable(inlineCompletions, "1");
}

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

var app = builder.Build();
var answer = """{"success":true}"""u8.ToArray();
var sized = builder.Configuration["AnswerFile"] is { Length: > 0 } file ? File.ReadAllBytes(file) : answer;

app.MapGet("/sized", (HttpContext context) => Write(context, sized));
app.MapGet("/{**path}", (HttpContext context) => Write(context, answer));
app.MapPost("/{**path}", async (HttpContext context) =>
{
    // Read the body as a real endpoint must, then answer.
    var reader = context.Request.BodyReader;
    while (true)
    {
        var read = await reader.ReadAsync();
        reader.AdvanceTo(read.Buffer.End);
        if (read.IsCompleted)
        {
            break;
        }
    }

    await Write(context, answer);
});

app.Run();

static Task Write(HttpContext context, byte[] body)
{
    context.Response.StatusCode = 200;
    context.Response.ContentType = "application/json";
    context.Response.ContentLength = body.Length;
    return context.Response.Body.WriteAsync(body).AsTask();
}
