using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Tekton.Web.Infrastructure;

/// <summary>
/// The web dashboard: the static files that dashboard/ builds into wwwroot, served with <c>index.html</c> at <c>/</c>.
/// They are served ahead of routing, so they are no routed endpoints and need no rule of the role table: they are
/// public (the page has its own sign-in, and the files hold no secrets). The server's own paths never reach them.
/// </summary>
internal static class DashboardFiles
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

    /// <summary>Vite names these files after their content's hash, so a browser may keep them for good.</summary>
    public const string ImmutableCaching = "public, max-age=31536000, immutable";

    private const string NotBuilt =
        "Tekton's dashboard is not built. Build Tekton.Web without -p:TektonSkipDashboard=true (it runs npm), " +
        "or run `npm ci && npm run build` in dashboard/. The API is under /api, described at /swagger.\n";

    private static readonly PathString[] ServerPaths =
        ["/api", "/ws", "/hubs", "/health", "/metrics", "/swagger", "/openapi"];

    private static readonly PathString Assets = "/assets";

    public static IApplicationBuilder UseDashboard(this WebApplication app)
    {
        var root = FindWebRoot(app.Environment);
        return app.UseWhen(context => !IsServerPath(context.Request.Path), dashboard =>
        {
            if (root is not null)
            {
                var files = new PhysicalFileProvider(root);
                dashboard.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
                dashboard.UseStaticFiles(new StaticFileOptions { FileProvider = files, OnPrepareResponse = AddHeaders });
            }

            dashboard.Use((context, next) => IsIndex(context.Request) ? WriteNotBuiltAsync(context) : next(context));
        });
    }

    /// <summary>The content root's wwwroot (or the configured web root), else the copy beside the assembly.</summary>
    public static string? FindWebRoot(IWebHostEnvironment environment) =>
        new[] { environment.WebRootPath, Path.Combine(AppContext.BaseDirectory, "wwwroot") }
            .FirstOrDefault(path => !string.IsNullOrEmpty(path) && File.Exists(Path.Combine(path, "index.html")));

    private static bool IsServerPath(PathString path) =>
        ServerPaths.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase));

    private static void AddHeaders(StaticFileResponseContext file)
    {
        var headers = file.Context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        if (file.Context.Request.Path.StartsWithSegments(Assets, StringComparison.OrdinalIgnoreCase))
        {
            headers.CacheControl = ImmutableCaching;
        }
        else
        {
            headers.CacheControl = "no-cache";
        }

        if (file.File.Name.EndsWith(".html", StringComparison.OrdinalIgnoreCase))
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
        }
    }

    private static bool IsIndex(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && (request.Path == "/" || request.Path.Equals("/index.html", StringComparison.OrdinalIgnoreCase));

    private static Task WriteNotBuiltAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(NotBuilt);
    }
}
