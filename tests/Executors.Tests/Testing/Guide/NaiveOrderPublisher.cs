namespace Executors.Tests.Testing.Guide;

/// <summary>
/// <see cref="OrderPublisher"/> with an ordering bug: it submits the save and the publish as two
/// independent tasks, as if the second could only start after the first had finished. One worker
/// taking the oldest task first hides the bug; two workers, or any other order, show it.
/// </summary>
internal sealed class NaiveOrderPublisher(IExecutor executor)
{
    private readonly Dictionary<int, string> _saved = [];

    public List<string> Published { get; } = [];

    public void Place(int id, string item)
    {
        executor.Submit(() => Save(id, item));
        executor.Submit(() => Publish(id));
    }

    private void Save(int id, string item)
    {
        lock (_saved)
        {
            _saved[id] = item;
        }
    }

    private void Publish(int id)
    {
        lock (_saved)
        {
            Published.Add(_saved.TryGetValue(id, out string? item) ? item : "<missing>");
        }
    }
}
