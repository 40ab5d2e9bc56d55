namespace Executors.Testing.Internal;

/// <summary>The defaults of the testing helpers, in one place (the core library's <c>ThreadPoolConstants</c> idea).</summary>
internal static class TestingConstants
{
    /// <summary>
    /// How many tasks <c>RunUntilIdle</c> runs at most before it decides that the work never ends (a task
    /// that resubmits itself forever). Far above what a unit test runs; low enough to fail in seconds.
    /// </summary>
    public const int DefaultMaxTasks = 100_000;

    /// <summary>How many seeds <see cref="SeededExecutor.Explore"/> tries by default: enough to hit an ordering of a handful of tasks that one in ten schedules breaks with near certainty.</summary>
    public const int DefaultSeedCount = 100;
}
