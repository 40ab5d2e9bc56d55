using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Executors;

namespace Samples.Shared;

/// <summary>
/// The client side of <see cref="LoopbackServer"/>: one request per connection, in a blocking form (what a
/// thread-pool task calls, like <c>urllib.request.urlopen</c>) and an asynchronous one (what an
/// <c>async</c> method awaits, like an <c>asyncio</c> stream).
/// </summary>
public static class LoopbackClient
{
    /// <summary>
    /// How long one request may take before it fails: far above the server's latency, so only a server
    /// that stopped answering hits it, and then a sample fails instead of hanging the tour.
    /// </summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Connects, asks for <paramref name="size"/> bytes, reads them all, closes. Blocks the calling
    /// thread. Each blocking socket call runs inside <see cref="Gil.Release()"/>, as CPython's socket
    /// module releases the GIL around <c>connect</c>, <c>send</c> and <c>recv</c>; without an emulated
    /// lock that is a no-op.
    /// </summary>
    /// <returns>The number of bytes received.</returns>
    public static int Fetch(IPEndPoint server, int size)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            SendTimeout = (int)RequestTimeout.TotalMilliseconds,
            ReceiveTimeout = (int)RequestTimeout.TotalMilliseconds,
        };
        using (Gil.Release())
        {
            socket.Connect(server);
        }

        using (Gil.Release())
        {
            socket.Send(Request(size));
        }

        byte[] buffer = new byte[Math.Min(size, 64 * 1024) + 1];
        int total = 0;
        while (total < size)
        {
            int read;
            using (Gil.Release())
            {
                read = socket.Receive(buffer);
            }

            if (read == 0)
            {
                throw new IOException($"The server closed the connection after {total} of {size} bytes.");
            }

            total += read;
        }

        return total;
    }

    /// <summary>The same request without blocking a thread: every socket call is awaited (and canceled after <see cref="RequestTimeout"/>).</summary>
    /// <returns>The number of bytes received.</returns>
    public static async Task<int> FetchAsync(IPEndPoint server, int size, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        cancellationToken = timeout.Token;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(Request(size), SocketFlags.None, cancellationToken).ConfigureAwait(false);

        byte[] buffer = new byte[Math.Min(size, 64 * 1024) + 1];
        int total = 0;
        while (total < size)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"The server closed the connection after {total} of {size} bytes.");
            }

            total += read;
        }

        return total;
    }

    private static byte[] Request(int size)
    {
        byte[] request = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(request, size);
        return request;
    }
}
