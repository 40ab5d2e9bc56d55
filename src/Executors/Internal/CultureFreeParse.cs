namespace Executors.Internal;

/// <summary>
/// Parses the worker's numeric command-line arguments without touching <see cref="System.Globalization.CultureInfo"/>.
/// </summary>
/// <remarks>
/// Why: the first access to any culture, even the invariant one, loads ICU on Linux, about 9 ms of
/// CPU in every worker process before its first task (docs/design/0010). The worker's own start-up
/// path therefore never touches a culture; a task that needs one still gets it.
/// </remarks>
internal static class CultureFreeParse
{
    /// <summary>Parses an optionally negative decimal integer made of ASCII digits only.</summary>
    /// <returns><see langword="false"/> if <paramref name="text"/> is empty, has another character, or overflows.</returns>
    public static bool TryParseInt64(string? text, out long value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        bool negative = text[0] == '-';
        int start = negative ? 1 : 0;
        if (start == text.Length)
        {
            return false;
        }

        long result = 0;
        for (int i = start; i < text.Length; i++)
        {
            int digit = text[i] - '0';
            if ((uint)digit > 9)
            {
                return false;
            }

            // Accumulate negatively: long.MinValue has no positive counterpart.
            if (result < (long.MinValue + digit) / 10)
            {
                return false;
            }

            result = (result * 10) - digit;
        }

        if (!negative)
        {
            if (result == long.MinValue)
            {
                return false;
            }

            result = -result;
        }

        value = result;
        return true;
    }

    /// <summary>Parses a decimal integer that fits an <see cref="int"/>.</summary>
    public static bool TryParseInt32(string? text, out int value)
    {
        bool parsed = TryParseInt64(text, out long wide) && wide is >= int.MinValue and <= int.MaxValue;
        value = parsed ? (int)wide : 0;
        return parsed;
    }
}
