namespace Executors;

/// <summary>The state of a <see cref="Future"/>, as in CPython's <c>concurrent.futures</c>.</summary>
/// <remarks>
/// The only transitions are Pending → Running → Finished, Pending → Finished (a result or exception
/// set directly) and Pending → Canceled. Canceled and Finished are terminal; a future in either is
/// <see cref="Future.IsDone"/>.
/// </remarks>
public enum FutureState
{
    /// <summary>The work has not started; the future can still be canceled.</summary>
    Pending,

    /// <summary>The work is running; it can no longer be canceled.</summary>
    Running,

    /// <summary>The future was canceled before its work started.</summary>
    Canceled,

    /// <summary>The work ended with a result or an exception.</summary>
    Finished,
}
