using System.Diagnostics;
using System.Globalization;

namespace Executors.Tests.TestUtilities;

/// <summary>
/// A gate between a test and a task that runs in a worker <em>process</em>, where a
/// <see cref="ManualResetEventSlim"/> cannot reach: a temporary directory in which the task writes
/// its process id to <c>started</c> and then waits for the file <c>release</c>.
/// </summary>
/// <remarks>
/// The task side (<see cref="SignalStartedAndWait"/>) runs in the worker, so it is a static method
/// of the test assembly. Its wait is bounded, and disposing the gate releases it, so a failing test
/// never leaves a worker blocked.
/// </remarks>
internal sealed class StartedReleaseGate : IDisposable
{
    private const string StartedFileName = "started";
    private const string ReleaseFileName = "release";

    /// <summary>How long a gated task waits before it gives up (a test that forgot to release it still ends).</summary>
    private static readonly TimeSpan s_taskWaitLimit = TimeSpan.FromMinutes(3);

    public StartedReleaseGate()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "executors-gate-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    /// <summary>Gets the directory to pass to the task.</summary>
    public string Path { get; }

    /// <summary>Runs in the worker: records this process's id as started, then blocks until the test releases the gate.</summary>
    /// <param name="gatePath">The gate's <see cref="Path"/>.</param>
    public static void SignalStartedAndWait(string gatePath)
    {
        // Write then rename, so that the test never reads a half-written file.
        string temporary = System.IO.Path.Combine(gatePath, StartedFileName + ".tmp");
        File.WriteAllText(temporary, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        File.Move(temporary, System.IO.Path.Combine(gatePath, StartedFileName));

        var waited = Stopwatch.StartNew();
        string release = System.IO.Path.Combine(gatePath, ReleaseFileName);
        while (!File.Exists(release) && Directory.Exists(gatePath))
        {
            if (waited.Elapsed > s_taskWaitLimit)
            {
                throw new TimeoutException($"The gate '{gatePath}' was never released.");
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>Waits until the task has started and returns the id of the process it runs in.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The worker's process id.</returns>
    /// <exception cref="TimeoutException">The task did not start in time.</exception>
    public int WaitUntilStarted(TimeSpan timeout)
    {
        string started = System.IO.Path.Combine(Path, StartedFileName);
        var waited = Stopwatch.StartNew();
        while (!File.Exists(started))
        {
            if (timeout != Timeout.InfiniteTimeSpan && waited.Elapsed > timeout)
            {
                throw new TimeoutException($"The gated task did not start within {timeout}.");
            }

            Thread.Sleep(10);
        }

        return int.Parse(File.ReadAllText(started), NumberStyles.Integer, CultureInfo.InvariantCulture);
    }

    /// <summary>Lets the gated task go on.</summary>
    public void Release() => File.WriteAllText(System.IO.Path.Combine(Path, ReleaseFileName), string.Empty);

    /// <summary>Releases the task (if it still waits) and deletes the directory, which releases it too.</summary>
    public void Dispose()
    {
        try
        {
            Release();
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A worker is writing there right now: a few bytes left in the temp folder, and the task is released either way.
        }
    }
}
