using System.Diagnostics;

namespace Executors.Tests.TestUtilities;

/// <summary>
/// Timeouts named by intent (vs-threading's TestBase idea). No test asserts that something is fast;
/// these only bound how long a test waits.
/// </summary>
internal static class TestTimeouts
{
    /// <summary>
    /// For waiting on something that should happen: generous, so that a loaded 2-core CI machine does
    /// not flake; infinite under a debugger.
    /// </summary>
    public static TimeSpan Unexpected => Debugger.IsAttached ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(60);

    /// <summary>For showing that something does <em>not</em> happen: short, because the test always waits it out.</summary>
    public static TimeSpan Expected => TimeSpan.FromMilliseconds(200);
}
