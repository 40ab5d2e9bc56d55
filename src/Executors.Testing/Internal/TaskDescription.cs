using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Executors.Testing.Internal;

/// <summary>
/// Names a submitted task for <see cref="ScheduledTask.Description"/>: how it was submitted, and the
/// method it runs, with lambdas named after the method that contains them
/// (<c>Submit CacheTests.Refresh_Race lambda</c>, <c>Map[2] Parser.Parse("b")</c>).
/// </summary>
internal static class TaskDescription
{
    /// <summary>Arguments longer than this are cut, so that a schedule stays readable.</summary>
    private const int MaxArgumentLength = 40;

    public static string Of(string kind, Delegate fn) =>
        string.Create(CultureInfo.InvariantCulture, $"{kind} {Name(fn.Method)}");

    public static string Of<T>(string kind, Delegate fn, T arg) =>
        string.Create(CultureInfo.InvariantCulture, $"{kind} {Name(fn.Method)}({Format(arg)})");

    private static string Name(MethodInfo method)
    {
        // Lambdas live in compiler-generated closure classes ("<>c", "<>c__DisplayClass3_0") nested in the user's type.
        Type? type = method.DeclaringType;
        while (type is { DeclaringType: not null } && type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false))
        {
            type = type.DeclaringType;
        }

        // "<Refresh_Race>b__3_0" is a lambda (and "<Refresh_Race>g__Load|3_0" a local function) inside Refresh_Race.
        string name = method.Name;
        int close = name.IndexOf('>', StringComparison.Ordinal);
        if (name.StartsWith('<') && close > 1)
        {
            name = string.Concat(name.AsSpan(1, close - 1), " lambda");
        }

        return type is null ? name : string.Concat(type.Name, ".", name);
    }

    private static string Format<T>(T arg)
    {
        string text;
        try
        {
            text = arg switch
            {
                null => "null",
                string s => "\"" + s + "\"",
                IFormattable formattable => formattable.ToString(format: null, CultureInfo.InvariantCulture),
                _ => arg.ToString() ?? string.Empty,
            };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A description must never make Submit fail.
            text = typeof(T).Name;
        }

        return text.Length <= MaxArgumentLength ? text : string.Concat(text.AsSpan(0, MaxArgumentLength - 1), "…");
    }
}
