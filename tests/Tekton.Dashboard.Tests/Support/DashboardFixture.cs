using System.Runtime.CompilerServices;

namespace Tekton.Dashboard.Tests.Support;

/// <summary>
/// A test class's Tekton (auth off) and browser, started once for the class (<c>IClassFixture&lt;DashboardFixture&gt;</c>);
/// each test opens its own page with <see cref="OpenAsync"/>:
/// <code>await using var session = await fixture.OpenAsync("/#/components");</code>
/// A class that needs other configuration derives from it and overrides <see cref="Configure"/>.
/// </summary>
public class DashboardFixture : IAsyncLifetime
{
    private readonly bool _auth;
    private DashboardServer? _server;
    private Chromium? _chromium;

    public DashboardFixture()
        : this(auth: false)
    {
    }

    protected DashboardFixture(bool auth) => _auth = auth;

    public DashboardServer Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public IBrowser Browser => (_chromium ?? throw new InvalidOperationException("The fixture has not started.")).Browser;

    /// <summary>
    /// Opens <paramref name="path"/> (relative to the server, e.g. <c>/</c> or <c>/#/components</c>) in a new
    /// context and page, and waits for its load event. The test's file and name name its screenshot if it fails.
    /// </summary>
    public Task<DashboardSession> OpenAsync(string path = "/", [CallerFilePath] string file = "", [CallerMemberName] string test = "") =>
        DashboardSession.OpenAsync(Browser, Server.BaseAddress, path, $"{Path.GetFileNameWithoutExtension(file)}.{test}");

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Configure(settings);
        try
        {
            _chromium = await Chromium.LaunchAsync();
            _server = await DashboardServer.StartAsync(_auth, settings);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
            _chromium = null;
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    /// <summary>Configuration keys for the server, e.g. <c>settings["Tekton:Events:KeepAliveSeconds"] = "1"</c>.</summary>
    protected virtual void Configure(IDictionary<string, string?> settings)
    {
    }
}

/// <summary>Tekton with auth on: the page must sign in, with <see cref="DashboardServer.AdminKey"/> or a key made with it.</summary>
public class SecuredDashboardFixture : DashboardFixture
{
    public SecuredDashboardFixture()
        : base(auth: true)
    {
    }
}
