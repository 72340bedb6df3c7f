using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Tekton.Benchmarks;

/// <summary>
/// The few bytes of the .NET diagnostics IPC protocol (dotnet/diagnostics, documentation/design-docs/ipc-protocol.md)
/// that induce a full GC in another process: an EventPipe session on <c>Microsoft-Windows-DotNETRuntime</c> with the
/// GCHeapCollect keyword makes the runtime run a blocking gen2 collection, which is how dotnet-gcdump does it.
/// Only the GC keyword is asked for besides, not the heap dump, so the session's stream stays small.
/// </summary>
public static class DiagnosticsPort
{
    private const ulong GcKeyword = 0x1;
    private const ulong GcHeapCollectKeyword = 0x800000;
    private const byte EventPipeCommands = 0x02;
    private const byte StopTracing = 0x01;
    private const byte CollectTracing2 = 0x03;

    /// <summary>Opens the session, waits until <paramref name="done"/> says the GC ran, and closes the session.</summary>
    public static async Task InduceFullGcAsync(int pid, Func<Task<bool>> done, TimeSpan timeout)
    {
        using var session = await ConnectAsync(pid);
        var payload = new List<byte>();
        UInt32(payload, 16);        // circular buffer, MB
        UInt32(payload, 1);         // format: nettrace
        payload.Add(0);             // no rundown
        UInt32(payload, 1);         // one provider
        UInt64(payload, GcKeyword | GcHeapCollectKeyword);
        UInt32(payload, 4);         // level: informational
        String(payload, "Microsoft-Windows-DotNETRuntime");
        String(payload, null);      // no filter data
        var sessionId = BinaryPrimitives.ReadUInt64LittleEndian(await CommandAsync(session, CollectTracing2, [.. payload]));

        // The trace streams on this connection until the session stops; read it away so the runtime never blocks on it.
        var drain = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (await session.ReceiveAsync(buffer) > 0)
                {
                }
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        });

        var deadline = DateTime.UtcNow + timeout;
        while (!await done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Process {pid} ran no full GC within {timeout} of the GCHeapCollect session.");
            }

            await Task.Delay(100);
        }

        using (var stop = await ConnectAsync(pid))
        {
            var id = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(id, sessionId);
            await CommandAsync(stop, StopTracing, id);
        }

        await drain.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task<Socket> ConnectAsync(int pid)
    {
        var path = Directory.GetFiles(Environment.GetEnvironmentVariable("TMPDIR") ?? "/tmp", $"dotnet-diagnostic-{pid}-*-socket")
            .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            ?? throw new InvalidOperationException($"Process {pid} has no diagnostics socket (DOTNET_EnableDiagnostics=0?).");
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    /// <summary>Sends one command and returns the payload of its OK answer.</summary>
    private static async Task<byte[]> CommandAsync(Socket socket, byte command, byte[] payload)
    {
        var message = new byte[20 + payload.Length];
        Encoding.ASCII.GetBytes("DOTNET_IPC_V1\0").CopyTo(message, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(14), (ushort)message.Length);
        message[16] = EventPipeCommands;
        message[17] = command;
        payload.CopyTo(message, 20);
        await socket.SendAsync(message);

        var header = await ReceiveExactlyAsync(socket, 20);
        var size = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(14));
        var body = await ReceiveExactlyAsync(socket, size - 20);
        if (header[16] != 0xFF || header[17] != 0x00)
        {
            var code = body.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(body) : 0;
            throw new InvalidOperationException($"The diagnostics port refused command {command}: 0x{code:X8}.");
        }

        return body;
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read));
            if (n == 0)
            {
                throw new InvalidOperationException("The diagnostics port closed the connection.");
            }

            read += n;
        }

        return buffer;
    }

    private static void UInt32(List<byte> bytes, uint value)
    {
        Span<byte> span = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(span, value);
        bytes.AddRange(span);
    }

    private static void UInt64(List<byte> bytes, ulong value)
    {
        Span<byte> span = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(span, value);
        bytes.AddRange(span);
    }

    /// <summary>A protocol string: its length in UTF-16 code units with the terminating NUL, then those units; 0 for none.</summary>
    private static void String(List<byte> bytes, string? value)
    {
        if (value is null)
        {
            UInt32(bytes, 0);
            return;
        }

        UInt32(bytes, (uint)value.Length + 1);
        bytes.AddRange(Encoding.Unicode.GetBytes(value + "\0"));
    }
}
