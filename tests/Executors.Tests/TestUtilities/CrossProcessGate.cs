using System.Diagnostics;

namespace Executors.Tests.TestUtilities;

/// <summary>
/// A gate that tasks running in worker processes can see: a temporary directory. A call that enters
/// creates a unique <c>entered-*</c> marker there; a blocking call polls until an <c>open</c> file
/// exists. Delegates handed to a process pool capture only <see cref="DirectoryPath"/> (a string),
/// which serializes. A directory that no longer exists counts as open, so a straggler that runs after
/// its test ended passes through; a blocked call gives up after <see cref="TestTimeouts.Unexpected"/>
/// so that no worker can hang on a gate the test forgot to open. Disposing opens the gate.
/// </summary>
internal sealed class CrossProcessGate : IDisposable
{
    private const string OpenFileName = "open";
    private const string EnteredPattern = "entered-*";

    public CrossProcessGate()
    {
        DirectoryPath = Directory.CreateTempSubdirectory("executors-gate-").FullName;
    }

    /// <summary>Gets the gate's directory: what a task captures to reach the gate.</summary>
    public string DirectoryPath { get; }

    /// <summary>Gets how many calls have entered the gate so far (blocking or not).</summary>
    public int EnteredCount => CountEntered(DirectoryPath);

    /// <summary>Runs in the task (in any process): marks the entry, then waits for the gate to open if <paramref name="block"/>.</summary>
    /// <param name="directoryPath">The gate's <see cref="DirectoryPath"/>.</param>
    /// <param name="block">Whether to wait until the gate opens.</param>
    public static void Enter(string directoryPath, bool block)
    {
        try
        {
            File.WriteAllBytes(Path.Combine(directoryPath, "entered-" + Guid.NewGuid().ToString("N")), []);
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }

        string open = Path.Combine(directoryPath, OpenFileName);
        long start = Stopwatch.GetTimestamp();
        while (block && !File.Exists(open) && Directory.Exists(directoryPath))
        {
            if (Stopwatch.GetElapsedTime(start) >= TestTimeouts.Unexpected)
            {
                throw new TimeoutException("The test never opened the gate.");
            }

            Thread.Sleep(5);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> calls have entered the gate.</summary>
    /// <param name="count">The number of calls to wait for.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns><see langword="true"/> if that many calls entered in time.</returns>
    public bool WaitUntilEntered(int count, TimeSpan timeout)
    {
        long start = Stopwatch.GetTimestamp();
        while (CountEntered(DirectoryPath) < count)
        {
            if (timeout != Timeout.InfiniteTimeSpan && Stopwatch.GetElapsedTime(start) >= timeout)
            {
                return false;
            }

            Thread.Sleep(5);
        }

        return true;
    }

    /// <summary>Opens the gate: blocked calls return, later calls do not block. Idempotent.</summary>
    public void Open()
    {
        try
        {
            File.WriteAllBytes(Path.Combine(DirectoryPath, OpenFileName), []);
        }
        catch (DirectoryNotFoundException)
        {
            // Already disposed: a missing directory counts as open.
        }
    }

    public void Dispose()
    {
        Open();
        try
        {
            Directory.Delete(DirectoryPath, recursive: true);
        }
        catch (IOException)
        {
            // A straggler wrote a marker meanwhile; the temporary directory is left behind.
        }
    }

    private static int CountEntered(string directoryPath) =>
        Directory.Exists(directoryPath) ? Directory.GetFiles(directoryPath, EnteredPattern).Length : 0;
}
