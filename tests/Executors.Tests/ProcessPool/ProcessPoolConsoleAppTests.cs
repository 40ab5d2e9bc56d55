using System.Diagnostics;
using System.Globalization;
using Executors.Tests.TestUtilities;

namespace Executors.Tests.ProcessPool;

/// <summary>
/// The process pool from a real console app, outside the test host (<see cref="PoolAppFixture"/>):
/// run as <c>dotnet app.dll</c>, through its apphost, and published, it ships a static method and a
/// capturing lambda of its own to its workers; and when it is killed, its workers do not outlive it.
/// </summary>
public sealed class ProcessPoolConsoleAppTests : IClassFixture<PoolAppFixture>
{
    private readonly PoolAppFixture _app;

    public ProcessPoolConsoleAppTests(PoolAppFixture app) => _app = app;

    [Fact]
    public void Run_AsDotnetAppDll_RunsTheAppsOwnCallablesInWorkers()
    {
        ProcessStartInfo info = PoolAppFixture.CreateStartInfo(PoolAppFixture.DotnetHost, [_app.AppDll, "run"]);

        (int exitCode, string output, string error) = PoolAppFixture.Run(info, TestTimeouts.Unexpected);

        AssertRunOutput(exitCode, output, error);
    }

    [Fact]
    public void Run_ThroughTheAppHost_RunsTheAppsOwnCallablesInWorkers()
    {
        // No DOTNET_HOST_PATH and not under the muxer: the pool finds dotnet from the runtime's location.
        ProcessStartInfo info = PoolAppFixture.CreateStartInfo(_app.AppHost, ["run"]);

        (int exitCode, string output, string error) = PoolAppFixture.Run(info, TestTimeouts.Unexpected);

        AssertRunOutput(exitCode, output, error);
    }

    [Fact]
    public void Run_PublishedAppDll_RunsTheAppsOwnCallablesInWorkers()
    {
        ProcessStartInfo info = PoolAppFixture.CreateStartInfo(PoolAppFixture.DotnetHost, [_app.PublishedDll, "run"]);
        info.WorkingDirectory = _app.PublishDirectory;

        (int exitCode, string output, string error) = PoolAppFixture.Run(info, TestTimeouts.Unexpected);

        AssertRunOutput(exitCode, output, error);
    }

    [Fact]
    public async Task ParentKilled_WorkersRunningTasks_WorkersExit()
    {
        ProcessStartInfo info = PoolAppFixture.CreateStartInfo(PoolAppFixture.DotnetHost, [_app.AppDll, "orphan"]);
        using Process parent = Process.Start(info) ?? throw new InvalidOperationException("Could not start the app.");
        parent.StandardInput.Close();

        // Drained but never awaited without a bound: the orphaned workers hold this pipe too.
        Task<string> error = parent.StandardError.ReadToEndAsync();
        var workerPids = new HashSet<int>();
        int parentPid = 0;
        try
        {
            using (var reading = new CancellationTokenSource(TestTimeouts.Unexpected))
            {
                while (parentPid == 0 || workerPids.Count < 2)
                {
                    string? line = await parent.StandardOutput.ReadLineAsync(reading.Token);
                    Assert.True(line is not null, "The app ended early: " + (error.IsCompleted ? error.Result : string.Empty));
                    if (line.StartsWith("parent ", StringComparison.Ordinal))
                    {
                        parentPid = int.Parse(line.AsSpan("parent ".Length), NumberStyles.Integer, CultureInfo.InvariantCulture);
                    }
                    else if (line.StartsWith("worker ", StringComparison.Ordinal))
                    {
                        workerPids.Add(int.Parse(line.AsSpan("worker ".Length), NumberStyles.Integer, CultureInfo.InvariantCulture));
                    }
                }
            }

            Assert.Equal(parent.Id, parentPid);
            Assert.All(workerPids, pid => Assert.True(LeakAssertions.IsWorkerAlive(pid), LeakAssertions.Describe(pid)));

            // SIGKILL to the parent alone: nothing in it gets to stop its workers.
            parent.Kill(entireProcessTree: false);
            await parent.WaitForExitAsync().WaitAsync(TestTimeouts.Unexpected);

            LeakAssertions.AssertWorkersExit(workerPids, TestTimeouts.Unexpected);
        }
        finally
        {
            // Whatever failed above, leave nothing running: the app, then any worker it left.
            if (!parent.HasExited)
            {
                parent.Kill(entireProcessTree: true);
            }

            foreach (int pid in workerPids.Where(LeakAssertions.IsWorkerAlive))
            {
                try
                {
                    using Process orphan = Process.GetProcessById(pid);
                    orphan.Kill();
                }
                catch (ArgumentException)
                {
                    // Exited meanwhile.
                }
            }
        }
    }

    private static void AssertRunOutput(int exitCode, string output, string error)
    {
        string context = $"exit code {exitCode}; stdout:\n{output}\nstderr:\n{error}";
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(exitCode == 0, context);
        Assert.True(lines.SequenceEqual(["static=49", "lambda=42", "other-process=True"]), context);
    }
}
