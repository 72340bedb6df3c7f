namespace Tekton.Infrastructure.Cluster;

/// <summary>The <c>Tekton:Node</c> section: who this node is among several.</summary>
public sealed class NodeOptions
{
    public const string Section = "Tekton:Node";

    /// <summary>This node's name; components whose <c>launch.node</c> is this name are supervised here. Default: the machine's name.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>Seconds an expiry lease lasts unless renewed; its holder renews it every third of that.</summary>
    public double LeaseSeconds { get; set; } = 10;

    /// <summary>
    /// With PostgreSQL, the folder of this node's own files (the bootstrap key, the default log folder); relative
    /// to the content root. With SQLite the data folder is the database file's.
    /// </summary>
    public string DataDirectory { get; set; } = "data";
}

/// <summary>The <c>Tekton:Redis</c> section: set, it carries events and registry changes between nodes.</summary>
public sealed class RedisOptions
{
    public const string Section = "Tekton:Redis";

    /// <summary>A StackExchange.Redis configuration string (<c>host:port,password=...</c>); empty for one node alone.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The prefix of Tekton's Redis channels, so that several clusters can share one Redis.</summary>
    public string ChannelPrefix { get; set; } = "tekton";
}
