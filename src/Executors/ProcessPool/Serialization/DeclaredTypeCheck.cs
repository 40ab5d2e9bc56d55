namespace Executors.ProcessPool.Serialization;

/// <summary>
/// Refuses values that would not come back as themselves: every value crosses the pipe as its
/// <em>declared</em> type (never typeless), so a <c>Point</c> held in an <c>object</c> variable would
/// arrive as a dictionary. Failing loudly at <c>Submit</c> beats a quietly different value in the worker.
/// </summary>
internal static class DeclaredTypeCheck
{
    /// <summary>Throws when <paramref name="value"/>'s runtime type would not survive being written as <paramref name="declaredType"/>.</summary>
    /// <exception cref="NotSupportedException">It would not; the message says what to declare instead.</exception>
    public static void EnsureRoundTrips(Type declaredType, object? value, string what)
    {
        if (value is null || declaredType.IsValueType)
        {
            return;
        }

        Type actual = value.GetType();
        if (actual == declaredType || IsCollectionContract(declaredType))
        {
            return;
        }

        throw new NotSupportedException(
            $"{what} is declared as '{declaredType}' but holds a '{actual}'; it is serialized as its declared type and would not arrive as a '{actual}'. Declare it with its concrete type.");
    }

    /// <summary>Collection interfaces keep their contract across the pipe (a list arrives as a list), whatever the concrete class was.</summary>
    private static bool IsCollectionContract(Type declaredType) =>
        declaredType.IsInterface
        && declaredType.Namespace is "System.Collections.Generic" or "System.Collections";
}
