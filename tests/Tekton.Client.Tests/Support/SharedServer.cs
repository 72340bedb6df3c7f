namespace Tekton.Client.Tests.Support;

/// <summary>One Tekton process (auth off) shared by the tests of a collection; each test uses its own ids.</summary>
public sealed class SharedServer : IAsyncLifetime
{
    public TektonServerProcess Server { get; private set; } = null!;

    public TektonClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TektonServerProcess.StartAsync();
        Client = Server.Client();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>A component id no other test uses.</summary>
    public static string Id(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 64)];
}

[CollectionDefinition(Name)]
public sealed class SharedServerCollection : ICollectionFixture<SharedServer>
{
    public const string Name = "shared server";
}
