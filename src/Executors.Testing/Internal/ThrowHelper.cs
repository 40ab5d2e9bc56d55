using System.Globalization;

namespace Executors.Testing.Internal;

/// <summary>The exception messages of the testing helpers' own rules (the core library's ThrowHelper idea); shared rules use <c>Executors.Internal.ThrowHelper</c>.</summary>
internal static class ThrowHelper
{
    public static InvalidOperationException CreateNotIdle(int maxTasks, int stillPending) =>
        new(string.Create(
            CultureInfo.InvariantCulture,
            $"The executor was not idle after running {maxTasks} tasks ({stillPending} still pending): a task probably submits another one forever. Raise maxTasks if the test really needs more."));

    public static string InterleavingFailed(int seed, int seedsTried, int seedCount, IReadOnlyList<ScheduledTask> history, Exception failure)
    {
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"The test failed with seed {seed} (seed {seedsTried} of {seedCount} tried): {failure.GetType().Name}: {failure.Message}");
        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"Tasks run, in order ({history.Count}):");
        foreach (ScheduledTask task in history)
        {
            text.AppendLine();
            text.Append("  ").Append(task);
        }

        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"Replay this order with new SeededExecutor({seed}), or SeededExecutor.Explore(test, seedCount: 1, firstSeed: {seed}).");
        return text.ToString();
    }
}
