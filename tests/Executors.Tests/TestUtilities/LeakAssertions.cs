using System.Diagnostics;
using System.Globalization;

namespace Executors.Tests.TestUtilities;

/// <summary>
/// Asks the operating system, not a <see cref="Process"/> object, whether worker processes of a
/// process pool are still alive: a pool must not leak a worker after Dispose, a crash, recycling or
/// the death of its parent.
/// </summary>
/// <remarks>
/// <para>
/// On Linux a pid is alive while <c>/proc/&lt;pid&gt;</c> exists in a state other than zombie
/// (<c>Z</c>) or dead (<c>X</c>), <em>and</em> its command line names <c>Executors.Worker.dll</c>.
/// A zombie has exited; whether it is reaped is up to its parent, and an orphan's new parent (PID 1
/// of a container) may never reap it. The command line check guards against pid reuse: pids wrap
/// at <c>/proc/sys/kernel/pid_max</c> (32768 on small machines), so an old worker's pid may belong to
/// an unrelated process by the time it is checked.
/// </para>
/// <para>Elsewhere, <see cref="Process.GetProcessById(int)"/> throwing means gone.</para>
/// </remarks>
internal static class LeakAssertions
{
    /// <summary>The worker program every pool worker runs (<c>dotnet exec ... Executors.Worker.dll</c>).</summary>
    public const string WorkerProgram = "Executors.Worker.dll";

    /// <summary>Returns the ids of the pool's live workers right now.</summary>
    /// <param name="executor">The pool.</param>
    /// <returns>Their process ids.</returns>
    public static int[] WorkerPids(ProcessPoolExecutor executor)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return [.. executor.WorkerProcesses.Select(process => process.Id)];
    }

    /// <summary>Tells whether a pool worker with this pid is running, by asking the operating system.</summary>
    /// <param name="pid">The process id.</param>
    /// <returns><see langword="true"/> if a process with this pid runs the worker program.</returns>
    public static bool IsWorkerAlive(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            return ReadState(pid) is { } state && state is not ('Z' or 'X') && ReadCommandLine(pid).Contains(WorkerProgram, StringComparison.Ordinal);
        }

        try
        {
            using Process process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Describes a pid for an assertion message: its state and command line as the OS reports them.</summary>
    /// <param name="pid">The process id.</param>
    /// <returns>A one-line description.</returns>
    public static string Describe(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return string.Create(CultureInfo.InvariantCulture, $"pid {pid}");
        }

        return ReadState(pid) is { } state
            ? string.Create(CultureInfo.InvariantCulture, $"pid {pid} (state {state}): {ReadCommandLine(pid)}")
            : string.Create(CultureInfo.InvariantCulture, $"pid {pid} (gone)");
    }

    /// <summary>Asserts that none of these pids is a live worker <em>now</em> (after a shutdown that waits).</summary>
    /// <param name="pids">Every pid the pool ever had.</param>
    public static void AssertNoWorkerAlive(IEnumerable<int> pids)
    {
        ArgumentNullException.ThrowIfNull(pids);
        int[] alive = [.. pids.Distinct().Where(IsWorkerAlive)];
        Assert.True(alive.Length == 0, "Worker processes still alive: " + string.Join("; ", alive.Select(Describe)));
    }

    /// <summary>Asserts that all of these pids stop being live workers within <paramref name="timeout"/> (polling the OS).</summary>
    /// <param name="pids">The pids that must exit.</param>
    /// <param name="timeout">How long to wait for them.</param>
    public static void AssertWorkersExit(IEnumerable<int> pids, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(pids);
        int[] watched = [.. pids.Distinct()];
        var waited = Stopwatch.StartNew();
        int[] alive = [.. watched.Where(IsWorkerAlive)];
        while (alive.Length > 0 && (timeout == Timeout.InfiniteTimeSpan || waited.Elapsed < timeout))
        {
            Thread.Sleep(20);
            alive = [.. alive.Where(IsWorkerAlive)];
        }

        Assert.True(alive.Length == 0, $"Worker processes still alive after {timeout}: " + string.Join("; ", alive.Select(Describe)));
    }

    /// <summary>Returns the state letter from <c>/proc/&lt;pid&gt;/stat</c>, or null when there is no such process.</summary>
    private static char? ReadState(int pid)
    {
        try
        {
            string stat = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/stat"));

            // "pid (comm) S ...": comm may hold spaces and parentheses, so the state follows the last ')'.
            int close = stat.LastIndexOf(')');
            return close >= 0 && close + 2 < stat.Length ? stat[close + 2] : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/cmdline")).Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
