using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Samples.Shared;

/// <summary>
/// A small TCP server on 127.0.0.1 and an ephemeral port, started in-process, standing in for a slow
/// remote service (a web API, a database). Protocol: the client connects and sends a 4-byte
/// little-endian length; the server takes <see cref="Latency"/> to "prepare" the answer (a timer on
/// the server side, like a backend's processing time), sends that many bytes, and waits for the
/// client to close. The client side is real socket I/O: connect, send, receive, close.
/// </summary>
/// <remarks>
/// The server itself is asynchronous (it runs on the .NET thread pool, not on the executors being
/// measured) and shares this machine's CPU with the client, as a local service would.
/// </remarks>
public sealed class LoopbackServer : IAsyncDisposable
{
    /// <summary>The largest response the server sends.</summary>
    public const int MaxResponseBytes = 1 << 20;

    private static readonly byte[] s_payload = CreatePayload();

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _acceptLoops;
    private int _served;
    private int _open;
    private int _peakOpen;

    private LoopbackServer(TimeSpan latency, int backlog)
    {
        Latency = latency;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(backlog);
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;

        // Several accept loops, so a burst of thousands of connects drains the kernel's accept
        // queue quickly (an overflowing queue makes clients retransmit their SYN a second later).
        _acceptLoops = Enumerable.Range(0, 4).Select(_ => Task.Run(AcceptLoopAsync)).ToArray();
    }

    /// <summary>Gets the time the server takes before it answers each request.</summary>
    public TimeSpan Latency { get; }

    /// <summary>Gets the address clients connect to (127.0.0.1 and the port the OS chose).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Gets how many requests have been answered so far.</summary>
    public int RequestsServed => Volatile.Read(ref _served);

    /// <summary>Gets the largest number of connections the server had open at once.</summary>
    public int PeakOpenConnections => Volatile.Read(ref _peakOpen);

    /// <summary>Starts a server that answers each request after <paramref name="latency"/>.</summary>
    public static LoopbackServer Start(TimeSpan latency, int backlog = 4096) => new(latency, backlog);

    /// <summary>Stops accepting, and waits for the accept loops to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private static byte[] CreatePayload()
    {
        var payload = new byte[MaxResponseBytes];
        new Random(42).NextBytes(payload);
        return payload;
    }

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("The client closed the connection before sending its request.");
            }

            buffer = buffer[read..];
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (SocketException) when (!_stop.IsCancellationRequested)
            {
                // One failed accept (a client that reset first, or no descriptor left for a moment) must not
                // end the loop: with every loop gone, clients would sit in the backlog unanswered. Pause
                // briefly, so that a lasting error does not spin.
                await Task.Delay(10).ConfigureAwait(false);
                continue;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        int open = Interlocked.Increment(ref _open);
        int peak;
        while (open > (peak = Volatile.Read(ref _peakOpen)) && Interlocked.CompareExchange(ref _peakOpen, open, peak) != peak)
        {
        }

        try
        {
            using (socket)
            {
                socket.NoDelay = true;
                byte[] header = new byte[4];
                await ReceiveExactlyAsync(socket, header, _stop.Token).ConfigureAwait(false);
                int size = Math.Clamp(BinaryPrimitives.ReadInt32LittleEndian(header), 0, MaxResponseBytes);

                await Task.Delay(Latency, _stop.Token).ConfigureAwait(false);
                await socket.SendAsync(s_payload.AsMemory(0, size), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _served);

                // Let the client close first: then the closed connection's TIME_WAIT stays on the
                // client's side of loopback, where Linux may reuse it (tcp_tw_reuse).
                await socket.ReceiveAsync(header.AsMemory(0, 1), SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // The client went away or the server is stopping: nothing to report.
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }
}
