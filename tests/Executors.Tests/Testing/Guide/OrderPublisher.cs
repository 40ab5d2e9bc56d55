namespace Executors.Tests.Testing.Guide;

/// <summary>
/// Code under test in docs/testing.md: saves an order, then publishes what was saved. Publishing is
/// chained on the save's completion, so it reads the saved order in every task order.
/// <see cref="NaiveOrderPublisher"/> is the version with the ordering bug.
/// </summary>
internal sealed class OrderPublisher(IExecutor executor)
{
    private readonly Dictionary<int, string> _saved = [];

    public List<string> Published { get; } = [];

    public void Place(int id, string item)
    {
        Future save = executor.Submit(() => Save(id, item));
        save.AddDoneCallback(_ => executor.Submit(() => Publish(id)));
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
