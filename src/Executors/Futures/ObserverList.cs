namespace Executors;

/// <summary>
/// An immutable list of a future's observers (done-callbacks and internal waiters), replaced as a
/// whole with compare-and-swap. A future with one observer stores it directly; this type only
/// appears from the second one on, so the common cases allocate nothing extra.
/// </summary>
internal sealed class ObserverList
{
    private ObserverList(object[] items) => Items = items;

    /// <summary>Gets the observers in the order added.</summary>
    public object[] Items { get; }

    /// <summary>Returns <paramref name="current"/> (null, one observer or a list) with <paramref name="observer"/> appended.</summary>
    public static object Add(object? current, object observer) =>
        current switch
        {
            null => observer,
            ObserverList list => new ObserverList([.. list.Items, observer]),
            _ => new ObserverList([current, observer]),
        };

    /// <summary>Returns <paramref name="current"/> without the first occurrence of <paramref name="observer"/>; the same instance if absent.</summary>
    public static object? Remove(object current, object observer)
    {
        if (ReferenceEquals(current, observer))
        {
            return null;
        }

        if (current is not ObserverList list)
        {
            return current;
        }

        int index = Array.IndexOf(list.Items, observer);
        if (index < 0)
        {
            return current;
        }

        if (list.Items.Length == 2)
        {
            return list.Items[1 - index];
        }

        var items = new object[list.Items.Length - 1];
        Array.Copy(list.Items, 0, items, 0, index);
        Array.Copy(list.Items, index + 1, items, index, items.Length - index);
        return new ObserverList(items);
    }
}
