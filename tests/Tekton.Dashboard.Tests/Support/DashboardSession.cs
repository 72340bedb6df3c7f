using System.Runtime.ExceptionServices;

namespace Tekton.Dashboard.Tests.Support;

/// <summary>
/// One test's page: a fresh browser context (no cookies or storage from other tests) and its page, with what the
/// page logged. Disposing closes them; when the test failed meanwhile, it first saves a screenshot and the page's
/// console under <see cref="ResultsFolder"/>, named after the test.
/// </summary>
public sealed class DashboardSession : IAsyncDisposable
{
    private readonly string _name;
    private readonly List<string> _console = [];
    private readonly List<string> _errors = [];
    private volatile bool _failed;

    private DashboardSession(IBrowserContext context, IPage page, string name)
    {
        Context = context;
        Page = page;
        _name = name;
        page.Console += (_, message) => Record($"console.{message.Type}: {message.Text} ({message.Location})", message.Type == "error");
        page.PageError += (_, error) => Record($"page error: {error}", error: true);
        AppDomain.CurrentDomain.FirstChanceException += NoteFailure;
    }

    /// <summary>Where screenshots of failed tests go: build/.artifacts/test-results/dashboard, beside build/test.sh's results.</summary>
    public static string ResultsFolder { get; } = Path.Combine(Repository.Root, "build", ".artifacts", "test-results", "dashboard");

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>The answer to the navigation that opened the session.</summary>
    public IResponse? Response { get; private set; }

    /// <summary>Every console message and uncaught error of the page so far, in order.</summary>
    public IReadOnlyList<string> ConsoleMessages
    {
        get
        {
            lock (_console)
            {
                return [.. _console];
            }
        }
    }

    /// <summary>The console errors and uncaught exceptions of the page so far.</summary>
    public IReadOnlyList<string> ConsoleErrors
    {
        get
        {
            lock (_console)
            {
                return [.. _errors];
            }
        }
    }

    public void AssertNoConsoleErrors() =>
        ConsoleErrors.Should().BeEmpty("the page should log no errors; its console was:\n{0}", string.Join('\n', ConsoleMessages));

    /// <summary>Saves a screenshot of the whole page under <see cref="ResultsFolder"/> and returns its path.</summary>
    public async Task<string> ScreenshotAsync(string? name = null)
    {
        Directory.CreateDirectory(ResultsFolder);
        var path = Path.Combine(ResultsFolder, (name ?? _name) + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.FirstChanceException -= NoteFailure;
        try
        {
            if (_failed)
            {
                Directory.CreateDirectory(ResultsFolder);
                await File.WriteAllLinesAsync(Path.Combine(ResultsFolder, _name + ".console.txt"), ConsoleMessages);
                await ScreenshotAsync();
            }
        }
        catch (PlaywrightException)
        {
            // The page is gone (a crash, a closed browser): nothing to picture, and the test's own failure says more.
        }
        finally
        {
            await Context.CloseAsync();
        }
    }

    internal static async Task<DashboardSession> OpenAsync(IBrowser browser, Uri baseAddress, string path, string name)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        context.SetDefaultTimeout(15_000);
        var session = new DashboardSession(context, await context.NewPageAsync(), name);
        try
        {
            session.Response = await session.Page.GotoAsync(path);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    private void Record(string line, bool error)
    {
        lock (_console)
        {
            _console.Add(line);
            if (error)
            {
                _errors.Add(line);
            }
        }
    }

    // xunit 2 tells no one whether a test failed; its assertions, Playwright's and its timeouts all throw these.
    // Browser tests of this assembly run one at a time, so one thrown meanwhile is this test's (or costs a picture).
    private void NoteFailure(object? sender, FirstChanceExceptionEventArgs e)
    {
        if (e.Exception is Xunit.Sdk.XunitException or PlaywrightException or TimeoutException)
        {
            _failed = true;
        }
    }
}
