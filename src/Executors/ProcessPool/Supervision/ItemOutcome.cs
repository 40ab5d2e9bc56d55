using System.Runtime.ExceptionServices;

namespace Executors.ProcessPool.Supervision;

/// <summary>The outcome of one item of a Map chunk: its value, or the exception it threw.</summary>
/// <typeparam name="TResult">The type of the result.</typeparam>
internal readonly record struct ItemOutcome<TResult>(TResult Value, ExceptionDispatchInfo? Error);
