namespace Executors.Benchmarks.Peer;

/// <summary>
/// The functions the process-pool workloads run in worker processes: static methods of this assembly,
/// which is on disk and in the runner's deps.json, so the workers can load them (the twins of
/// <c>cf_bench.py</c>'s module-level task functions). The delegates are cached, as a Python function
/// object is created once.
/// </summary>
internal static class ProcessTasks
{
    /// <summary>Gets <see cref="Noop"/> as a delegate.</summary>
    public static Func<int, int> NoopFn { get; } = Noop;

    /// <summary>Gets <see cref="Pid"/> as a delegate.</summary>
    public static Func<int> PidFn { get; } = Pid;

    /// <summary>Gets <see cref="SlowPid"/> as a delegate.</summary>
    public static Func<int> SlowPidFn { get; } = SlowPid;

    /// <summary>Gets <see cref="PayloadLength"/> as a delegate.</summary>
    public static Func<byte[], int> PayloadLengthFn { get; } = PayloadLength;

    /// <summary>Gets <see cref="Burn"/> as a delegate.</summary>
    public static Func<long, long> BurnFn { get; } = Burn;

    /// <summary><c>noop(x)</c>: returns its argument.</summary>
    /// <param name="x">Any number.</param>
    /// <returns><paramref name="x"/>.</returns>
    public static int Noop(int x) => x;

    /// <summary><c>pid_task()</c>: the id of the process that runs it.</summary>
    /// <returns>The worker's process id.</returns>
    public static int Pid() => Environment.ProcessId;

    /// <summary><c>slow_pid_task()</c>: sleeps 50 ms (so that one worker cannot take every warm-up task), then returns the process id.</summary>
    /// <returns>The worker's process id.</returns>
    public static int SlowPid()
    {
        Thread.Sleep(50);
        return Environment.ProcessId;
    }

    /// <summary><c>payload_len(b)</c>: the length of the byte array it was given.</summary>
    /// <param name="payload">The payload.</param>
    /// <returns>Its length.</returns>
    public static int PayloadLength(byte[] payload) => payload.Length;

    /// <summary><c>burn(n)</c>: <c>s = 0; for i in range(n): s += i * i</c> (64-bit, wrapping; CPython uses big integers).</summary>
    /// <param name="n">Iterations.</param>
    /// <returns>The sum, so that the loop cannot be optimized away.</returns>
    public static long Burn(long n)
    {
        long s = 0;
        for (long i = 0; i < n; i++)
        {
            s += i * i;
        }

        return s;
    }
}
