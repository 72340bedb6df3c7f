using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Tekton.Domain.Components;

/// <summary>
/// Version 7 uuids (RFC 9562: the Unix time in milliseconds, then random bits) as <see cref="Guid.CreateVersion7()"/>
/// makes them, with the random bits drawn 4 KiB at a time from the cryptographic generator: on Linux the runtime reads
/// <c>/dev/urandom</c> for every new <see cref="Guid"/>, a system call per registration.
/// </summary>
public static class Version7Uuids
{
    private const int PoolSize = 4096;
    private const int UuidSize = 16;

    private static readonly Lock Gate = new();
    private static readonly byte[] Pool = new byte[PoolSize];
    private static int _next = PoolSize;

    public static Guid New(DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[UuidSize];
        lock (Gate)
        {
            if (_next == PoolSize)
            {
                RandomNumberGenerator.Fill(Pool);
                _next = 0;
            }

            var drawn = Pool.AsSpan(_next, UuidSize);
            drawn.CopyTo(bytes);
            drawn.Clear();
            _next += UuidSize;
        }

        // Bytes in the RFC's order: 48 bits of milliseconds, the version (7) in the high nibble of byte 6, the variant
        // (binary 10) in the two high bits of byte 8, random bits everywhere else.
        Span<byte> time = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(time, now.ToUnixTimeMilliseconds());
        time[2..].CopyTo(bytes);
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
