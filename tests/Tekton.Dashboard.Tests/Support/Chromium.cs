namespace Tekton.Dashboard.Tests.Support;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, or <c>TEKTON_CHROMIUM</c>), headless, driven by Playwright's driver
/// from this assembly's <c>.playwright</c> folder. Playwright's own browsers are never downloaded.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string DefaultPath = "/usr/bin/chromium";

    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run",
    ];

    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("TEKTON_CHROMIUM") is { Length: > 0 } path ? path : DefaultPath;

    public IBrowser Browser { get; }

    /// <summary>Starts the browser; fails, saying how to install it, where there is none.</summary>
    public static async Task<Chromium> LaunchAsync()
    {
        var path = ExecutablePath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"There is no Chromium at {path}, and the dashboard's browser tests need one: install Debian's " +
                "(apt-get install chromium; build/test.sh does), or point TEKTON_CHROMIUM at a Chromium.");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                Args = Arguments,
                Timeout = 60_000,
            });
            return new Chromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
